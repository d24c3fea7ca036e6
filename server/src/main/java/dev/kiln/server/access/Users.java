package dev.kiln.server.access;

import com.password4j.Argon2Function;
import com.password4j.Password;
import com.password4j.types.Argon2;
import dev.kiln.server.store.Database;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Jdbi;

/**
 * The people who use this server: a name, a role, per-repo roles that raise it, an Argon2id
 * password hash, and whether they are disabled (a disabled user's tokens and sessions stop
 * working at once: both are checked against this table on every request).
 */
public final class Users {
    /** OWASP's minimum for Argon2id: 19 MiB, 2 passes, 1 lane. */
    private static final Argon2Function ARGON2 = Argon2Function.getInstance(19 * 1024, 2, 1, 32, Argon2.ID);
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9._-]{0,63}");
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Checked when the user does not exist, so that a wrong name costs as long as a wrong password. */
    private static final String DUMMY = Password.hash("not a password").addRandomSalt(16).with(ARGON2).getResult();

    public record User(String name, Role role, boolean disabled, Map<String, Role> repoRoles, long createTime) {}

    /** A refused change: an unknown user, a bad name or role. */
    public static final class UserException extends RuntimeException {
        private final int status;

        public UserException(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    private final Jdbi jdbi;
    private final Clock clock;

    public Users(Database db, Clock clock) {
        this.jdbi = db.jdbi();
        this.clock = clock;
    }

    public Optional<User> get(String name) {
        return jdbi.withHandle(h -> h.createQuery("select name, role, disabled, create_time from users where name = :n")
                .bind("n", name).map((rs, c) -> new User(rs.getString("name"), Role.valueOf(rs.getString("role")),
                        rs.getBoolean("disabled"), repoRoles(rs.getString("name")), rs.getLong("create_time")))
                .findOne());
    }

    public List<User> list() {
        return jdbi.withHandle(h -> h.createQuery("select name from users order by name").mapTo(String.class).list())
                .stream().map(n -> get(n).orElseThrow()).toList();
    }

    public boolean any() {
        return jdbi.withHandle(h -> h.createQuery("select count(*) from users").mapTo(Long.class).one()) > 0;
    }

    /** Adds a user; {@code password} may be null (the user signs in only after a reset). */
    public User add(String name, Role role, String password) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new UserException(400, "a user name is 1-64 of a-z, 0-9, '.', '_', '-', starting with a letter");
        }
        if (get(name).isPresent()) {
            throw new UserException(409, "user " + name + " exists");
        }
        jdbi.useHandle(h -> h.createUpdate("""
                        insert into users (name, password_hash, role, disabled, create_time)
                        values (:n, :p, :r, false, :t)""")
                .bind("n", name).bind("p", password == null ? null : hash(password)).bind("r", role.name())
                .bind("t", clock.millis()).execute());
        return get(name).orElseThrow();
    }

    public User setRole(String name, Role role) {
        require(name);
        jdbi.useHandle(h -> h.createUpdate("update users set role = :r where name = :n").bind("r", role.name())
                .bind("n", name).execute());
        return get(name).orElseThrow();
    }

    /** Raises {@code name}'s role on {@code repo}; null removes the raise. */
    public User setRepoRole(String name, String repo, Role role) {
        require(name);
        jdbi.useTransaction(h -> {
            h.createUpdate("delete from repo_roles where user_name = :n and repo = :r").bind("n", name).bind("r", repo).execute();
            if (role != null) {
                h.createUpdate("insert into repo_roles (user_name, repo, role) values (:n, :r, :role)")
                        .bind("n", name).bind("r", repo).bind("role", role.name()).execute();
            }
        });
        return get(name).orElseThrow();
    }

    public User setDisabled(String name, boolean disabled) {
        require(name);
        jdbi.useHandle(h -> h.createUpdate("update users set disabled = :d where name = :n").bind("d", disabled)
                .bind("n", name).execute());
        return get(name).orElseThrow();
    }

    public void setPassword(String name, String password) {
        require(name);
        jdbi.useHandle(h -> h.createUpdate("update users set password_hash = :p where name = :n")
                .bind("p", hash(password)).bind("n", name).execute());
    }

    /**
     * The user if {@code password} is theirs and they are not disabled. Costs one Argon2id check
     * whether or not the user exists, so timing does not tell which names exist.
     */
    public Optional<User> checkPassword(String name, String password) {
        String stored = name == null ? null : jdbi.withHandle(h -> h.createQuery(
                "select password_hash from users where name = :n").bind("n", name).mapTo(String.class).findOne().orElse(null));
        String against = stored == null ? DUMMY : stored;
        boolean ok = Password.check(password == null ? "" : password, against)
                .with(Argon2Function.getInstanceFromHash(against)) && stored != null;
        return ok ? get(name).filter(u -> !u.disabled()) : Optional.empty();
    }

    /**
     * On a server with no users: creates {@code admin} with {@code password}, or a random one when
     * that is null, and returns the password it set (to print once); empty when users exist.
     */
    public Optional<String> bootstrapAdmin(String password) {
        if (any()) {
            return Optional.empty();
        }
        String pw = password != null && !password.isBlank() ? password : randomPassword();
        add("admin", Role.ADMIN, pw);
        return Optional.of(pw);
    }

    public static String randomPassword() {
        byte[] b = new byte[18];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private void require(String name) {
        if (get(name).isEmpty()) {
            throw new UserException(404, "no user " + name);
        }
    }

    private Map<String, Role> repoRoles(String name) {
        Map<String, Role> m = new HashMap<>();
        jdbi.useHandle(h -> h.createQuery("select repo, role from repo_roles where user_name = :n").bind("n", name)
                .map((rs, c) -> Map.entry(rs.getString("repo"), Role.valueOf(rs.getString("role"))))
                .forEach(e -> m.put(e.getKey(), e.getValue())));
        return m;
    }

    private static String hash(String password) {
        if (password == null || password.length() < 8) {
            throw new UserException(400, "a password has at least 8 characters");
        }
        return Password.hash(password).addRandomSalt(16).with(ARGON2).getResult();
    }
}
