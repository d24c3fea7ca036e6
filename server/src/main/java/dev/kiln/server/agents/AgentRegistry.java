package dev.kiln.server.agents;

import dev.kiln.server.store.Database;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Jdbi;

/**
 * The agents that joined (table {@code agents}): each with its own credential, of which only the
 * SHA-256 is kept. The rows are also held in memory, as every agent call (a log append among them)
 * is checked against them; this class makes every change, so the two stay the same. Last-seen
 * times are written at most once a minute per agent.
 */
public final class AgentRegistry {
    /** An agent as the server knows it; {@code lastSeen} null until its first call. */
    public record Registered(String id, String name, long createTime, Long lastSeen, boolean disabled) {
        Registered seen(long now) {
            return new Registered(id, name, createTime, now, disabled);
        }

        Registered disabled(boolean on) {
            return new Registered(id, name, createTime, lastSeen, on);
        }
    }

    /** A fresh agent and its credential, which exists only in this answer. */
    public record Joined(Registered agent, String credential) {}

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,47}");
    private static final long SEEN_WRITE_MILLIS = 60_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Jdbi jdbi;
    private final Clock clock;
    private final Map<String, Registered> byId = new ConcurrentHashMap<>();
    private final Map<String, String> idByHash = new ConcurrentHashMap<>();
    private final Map<String, Long> seenWritten = new ConcurrentHashMap<>();

    public AgentRegistry(Database db, Clock clock) {
        this.jdbi = db.jdbi();
        this.clock = clock;
        jdbi.useHandle(h -> h.createQuery("select id, name, credential_hash, create_time, last_seen, disabled from agents")
                .map((rs, ctx) -> {
                    long seen = rs.getLong("last_seen");
                    Registered a = new Registered(rs.getString("id"), rs.getString("name"), rs.getLong("create_time"),
                            rs.wasNull() ? null : seen, rs.getBoolean("disabled"));
                    idByHash.put(rs.getString("credential_hash"), a.id());
                    return a;
                })
                .forEach(a -> byId.put(a.id(), a)));
    }

    /** Why {@code name} cannot name an agent, or null if it can. */
    public static String badName(String name) {
        return name != null && NAME.matcher(name).matches() ? null
                : "an agent's name is 1-48 of A-Z, a-z, 0-9, '.', '_', '-', starting with a letter or digit";
    }

    /** Registers a new agent named {@code name} (checked with {@link #badName}); its id is the name and a random suffix. */
    public Joined register(String name) {
        if (badName(name) != null) {
            throw new IllegalArgumentException(badName(name));
        }
        byte[] suffix = new byte[4];
        RANDOM.nextBytes(suffix);
        String id = name + "-" + HexFormat.of().formatHex(suffix);
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String credential = "kagent_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        return new Joined(insert(id, name, credential), credential);
    }

    /**
     * The row of an agent that runs inside the server and so calls without a credential (the
     * embedded agent): listed and disabled like the others. Made once, with a credential nobody knows.
     */
    public Registered ensure(String id, String name) {
        Registered a = byId.get(id);
        if (a != null) {
            return a;
        }
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        return insert(id, name, HexFormat.of().formatHex(secret));
    }

    private synchronized Registered insert(String id, String name, String credential) {
        String hash = hash(credential);
        Registered a = new Registered(id, name, clock.millis(), null, false);
        jdbi.useHandle(h -> h.createUpdate("""
                        insert into agents (id, name, credential_hash, create_time, disabled)
                        values (:id, :name, :hash, :time, false)""")
                .bind("id", id).bind("name", name).bind("hash", hash).bind("time", a.createTime()).execute());
        byId.put(id, a);
        idByHash.put(hash, id);
        return a;
    }

    /** The agent {@code credential} belongs to, disabled or not; empty for anything else. */
    public Optional<Registered> authenticate(String credential) {
        if (credential == null || !credential.startsWith("kagent_")) {
            return Optional.empty();
        }
        String id = idByHash.get(hash(credential));
        return id == null ? Optional.empty() : Optional.ofNullable(byId.get(id));
    }

    public Optional<Registered> get(String id) {
        return id == null ? Optional.empty() : Optional.ofNullable(byId.get(id));
    }

    public boolean isDisabled(String id) {
        Registered a = byId.get(id);
        return a != null && a.disabled();
    }

    /** Oldest first. */
    public List<Registered> list() {
        return byId.values().stream().sorted(Comparator.comparingLong(Registered::createTime).thenComparing(Registered::id))
                .toList();
    }

    /** Disables or enables agent {@code id}; empty if there is none. */
    public synchronized Optional<Registered> setDisabled(String id, boolean disabled) {
        Registered a = byId.get(id);
        if (a == null) {
            return Optional.empty();
        }
        jdbi.useHandle(h -> h.createUpdate("update agents set disabled = :d where id = :id")
                .bind("d", disabled).bind("id", id).execute());
        return Optional.ofNullable(byId.computeIfPresent(id, (k, old) -> old.disabled(disabled)));
    }

    /** Agent {@code id} called now. */
    public void seen(String id) {
        long now = clock.millis();
        Registered a = byId.computeIfPresent(id, (k, old) -> old.seen(now));
        if (a == null) {
            return;
        }
        Long written = seenWritten.get(id);
        if (written == null || now - written >= SEEN_WRITE_MILLIS) {
            seenWritten.put(id, now);
            jdbi.useHandle(h -> h.createUpdate("update agents set last_seen = :t where id = :id")
                    .bind("t", now).bind("id", id).execute());
        }
    }

    private static String hash(String credential) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(credential.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
