package dev.kiln.server.access;

import dev.kiln.server.store.Database;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;

/**
 * API tokens. A token reads {@code kiln_<id>_<secret>}: the id finds its row, and the SHA-256 of
 * the whole token is compared in constant time with the one stored; the token itself is never
 * stored. A token belongs to a user and carries at most its user's role ({@code role} is its cap);
 * it stops working when revoked, expired, or when its user is disabled.
 */
public final class ApiTokens {
    private static final Pattern FORM = Pattern.compile("kiln_([0-9a-f]{16})_[A-Za-z0-9_-]{43}");
    private static final SecureRandom RANDOM = new SecureRandom();

    /** What {@code tokens list} shows: never the token or its hash. */
    public record TokenInfo(String id, String name, String user, Role role, long createTime, Long expireTime,
                            Long revokeTime) {}

    private final Jdbi jdbi;
    private final Users users;
    private final Clock clock;

    public ApiTokens(Database db, Users users, Clock clock) {
        this.jdbi = db.jdbi();
        this.users = users;
        this.clock = clock;
    }

    /** The principal {@code token} stands for, if it is a live token of an enabled user of this server. */
    public Optional<Principal> verify(String token) {
        var m = token == null ? null : FORM.matcher(token);
        if (m == null || !m.matches()) {
            return Optional.empty();
        }
        String id = m.group(1);
        byte[] given = sha256(token);
        long now = clock.millis();
        record Row(String user, Role cap, boolean ok) {}
        Optional<Row> row = jdbi.withHandle(h -> h.createQuery("""
                        select user_name, role, token_hash from api_tokens
                        where id = :id and revoke_time is null and (expire_time is null or expire_time > :now)""")
                .bind("id", id).bind("now", now)
                .map((rs, ctx) -> new Row(rs.getString("user_name"), Role.valueOf(rs.getString("role")),
                        MessageDigest.isEqual(given, HexFormat.of().parseHex(rs.getString("token_hash")))))
                .findOne());
        if (row.isEmpty() || !row.get().ok()) {
            return Optional.empty();
        }
        return users.get(row.get().user()).filter(u -> !u.disabled()).map(u -> principal(id, u, row.get().cap()));
    }

    /** What {@code user} may do through a credential that carries at most {@code cap}. */
    public static Principal principal(String credential, Users.User user, Role cap) {
        Map<String, Role> repoRoles = user.repoRoles().entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().min(cap)));
        return new Principal(credential, user.name(), user.role().min(cap), repoRoles);
    }

    /**
     * Makes a token for {@code user} named {@code name}, carrying at most {@code role} (null: the
     * user's own, which may later be raised or lowered with the user's), expiring at
     * {@code expireTime} (epoch millis, null: never). Returns the token; only its hash is kept.
     */
    public String create(String user, String name, Role role, Long expireTime) {
        Users.User u = users.get(user).orElseThrow(() -> new Users.UserException(404, "no user " + user));
        Role cap = role == null ? Role.ADMIN : role;
        if (role != null && !u.role().atLeast(role) && u.repoRoles().values().stream().noneMatch(r -> r.atLeast(role))) {
            throw new Users.UserException(403, "a token carries at most its user's role; " + user + " has "
                    + u.role().label());
        }
        byte[] idBytes = new byte[8];
        RANDOM.nextBytes(idBytes);
        String id = HexFormat.of().formatHex(idBytes);
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String token = "kiln_" + id + "_" + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        jdbi.useHandle(h -> h.createUpdate("""
                        insert into api_tokens (id, name, user_name, role, token_hash, create_time, expire_time)
                        values (:id, :name, :user, :role, :hash, :now, :expire)""")
                .bind("id", id).bind("name", name == null || name.isBlank() ? "token" : name).bind("user", user)
                .bind("role", cap.name()).bind("hash", HexFormat.of().formatHex(sha256(token)))
                .bind("now", clock.millis()).bind("expire", expireTime).execute());
        return token;
    }

    /** The tokens of {@code user} (null: everyone's), newest first; revoked ones too. */
    public List<TokenInfo> list(String user) {
        return user == null ? tokens("", null, null) : tokens(" where user_name = :key", "key", user);
    }

    /** One token, revoked or not. */
    public Optional<TokenInfo> get(String id) {
        return tokens(" where id = :key", "key", id).stream().findFirst();
    }

    private List<TokenInfo> tokens(String where, String param, String value) {
        String sql = "select id, name, user_name, role, create_time, expire_time, revoke_time from api_tokens" + where
                + " order by create_time desc";
        return jdbi.withHandle(h -> (param == null ? h.createQuery(sql) : h.createQuery(sql).bind(param, value))
                .map((rs, c) -> new TokenInfo(rs.getString("id"), rs.getString("name"), rs.getString("user_name"),
                        Role.valueOf(rs.getString("role")), rs.getLong("create_time"),
                        (Long) rs.getObject("expire_time", Long.class), (Long) rs.getObject("revoke_time", Long.class)))
                .list());
    }

    /** Revokes token {@code id}; false when there is no live token with that id. */
    public boolean revoke(String id) {
        return jdbi.withHandle(h -> h.createUpdate("update api_tokens set revoke_time = :now where id = :id and revoke_time is null")
                .bind("now", clock.millis()).bind("id", id).execute()) > 0;
    }

    /**
     * The admin token, kept in {@code file} (mode 600) for the CLI on this machine: a token of the
     * {@code admin} user. Made at first start; made anew (and the old one revoked) when the file
     * is gone or no longer matches this database, so deleting the file and restarting rotates it.
     */
    public String adminToken(Path file) throws IOException {
        if (Files.exists(file)) {
            String token = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (verify(token).filter(p -> p.name().equals("admin")).isPresent()) {
                return token;
            }
        }
        jdbi.useHandle(h -> h.createUpdate("""
                        update api_tokens set revoke_time = :now
                        where user_name = 'admin' and name = 'admin.token' and revoke_time is null""")
                .bind("now", clock.millis()).execute());
        String token = create("admin", "admin.token", Role.ADMIN, null);
        PrivateFiles.write(file, token + "\n");
        return token;
    }

    static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
