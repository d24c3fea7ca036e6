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
import java.util.Optional;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Jdbi;

/**
 * API tokens of the user API. A token reads {@code kiln_<id>_<secret>}: the id finds its row, and
 * the SHA-256 of the whole token is compared in constant time with the one stored; the token
 * itself is never stored. Per-user tokens (a later issue) are more rows of the same table.
 */
public final class ApiTokens {
    private static final Pattern FORM = Pattern.compile("kiln_([0-9a-f]{16})_[A-Za-z0-9_-]{43}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Jdbi jdbi;
    private final Clock clock;

    public ApiTokens(Database db, Clock clock) {
        this.jdbi = db.jdbi();
        this.clock = clock;
    }

    /** The principal {@code token} stands for, if it is a live token of this server. */
    public Optional<Principal> verify(String token) {
        var m = token == null ? null : FORM.matcher(token);
        if (m == null || !m.matches()) {
            return Optional.empty();
        }
        String id = m.group(1);
        byte[] given = sha256(token);
        return jdbi.withHandle(h -> h.createQuery(
                        "select name, role, token_hash from api_tokens where id = :id and revoke_time is null")
                .bind("id", id)
                .map((rs, ctx) -> MessageDigest.isEqual(given, HexFormat.of().parseHex(rs.getString("token_hash")))
                        ? new Principal(id, rs.getString("name"), rs.getString("role")) : null)
                .findOne());
    }

    /** Makes a new token and returns it; only its hash is kept. */
    public String create(String name, String role) {
        byte[] idBytes = new byte[8];
        RANDOM.nextBytes(idBytes);
        String id = HexFormat.of().formatHex(idBytes);
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String token = "kiln_" + id + "_" + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        jdbi.useHandle(h -> h.createUpdate("""
                        insert into api_tokens (id, name, role, token_hash, create_time)
                        values (:id, :name, :role, :hash, :now)""")
                .bind("id", id).bind("name", name).bind("role", role)
                .bind("hash", HexFormat.of().formatHex(sha256(token))).bind("now", clock.millis()).execute());
        return token;
    }

    /**
     * The admin token, kept in {@code file} (mode 600). Made at first start; made anew (and the
     * old one revoked) when the file is gone or no longer matches this database, so deleting the
     * file and restarting rotates it.
     */
    public String adminToken(Path file) throws IOException {
        if (Files.exists(file)) {
            String token = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (verify(token).filter(p -> p.name().equals("admin")).isPresent()) {
                return token;
            }
        }
        jdbi.useHandle(h -> h.createUpdate("update api_tokens set revoke_time = :now where name = 'admin' and revoke_time is null")
                .bind("now", clock.millis()).execute());
        String token = create("admin", "admin");
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
