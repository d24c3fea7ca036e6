package dev.kiln.server.artifacts;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Files stored by their content, {@code <root>/sha256/ab/abcdef...}: a model kept by a hundred
 * builds is stored once. A file's name is the digest the server computed itself while writing it,
 * never anything a client sent, so no name given over the wire can reach another file.
 */
public final class BlobStore {
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    private final Path root;
    private final Path incoming;

    public BlobStore(Path root) throws IOException {
        this.root = Files.createDirectories(root.resolve("sha256"));
        this.incoming = Files.createDirectories(root.resolve("incoming"));
    }

    /** Written and hashed, not yet in place: {@link #place} or {@link #discard} it. */
    public record Pending(Path file, String sha256, long size) {}

    /** Reading stopped at {@code limit} bytes; nothing of it is kept. */
    public static final class TooLargeException extends IOException {
        public TooLargeException(long limit) {
            super("more than " + limit + " bytes");
        }
    }

    /** Copies {@code in} to a new file, hashing it; more than {@code limit} bytes is a {@link TooLargeException}. */
    public Pending write(InputStream in, long limit) throws IOException {
        Path tmp = Files.createTempFile(incoming, "up-", ".part");
        MessageDigest sha = sha256();
        long size = 0;
        try (OutputStream out = new DigestOutputStream(Files.newOutputStream(tmp), sha)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                size += n;
                if (size > limit) {
                    throw new TooLargeException(limit);
                }
                out.write(buf, 0, n);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        return new Pending(tmp, HexFormat.of().formatHex(sha.digest()), size);
    }

    /** Puts a written file in place under its digest; when that content is stored already, keeps the one there. */
    public void place(Pending p) throws IOException {
        Path target = path(p.sha256());
        Files.createDirectories(target.getParent());
        if (Files.exists(target)) {
            Files.delete(p.file());
            Files.setLastModifiedTime(target, FileTime.fromMillis(System.currentTimeMillis()));
            return;
        }
        try {
            Files.move(p.file(), target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
            Files.deleteIfExists(p.file());
        }
    }

    public void discard(Pending p) throws IOException {
        Files.deleteIfExists(p.file());
    }

    public InputStream open(String sha256) throws IOException {
        return Files.newInputStream(path(sha256));
    }

    public boolean exists(String sha256) {
        return Files.exists(path(sha256));
    }

    /** Removes the content {@code sha256}; returns the bytes freed. */
    public long delete(String sha256) throws IOException {
        Path p = path(sha256);
        long size = Files.exists(p) ? Files.size(p) : 0;
        return Files.deleteIfExists(p) ? size : 0;
    }

    /** Files of uploads cut off by a crash. */
    public void removeIncoming() throws IOException {
        try (var files = Files.list(incoming)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
        }
    }

    Path path(String sha256) {
        if (!SHA256.matcher(sha256).matches()) {
            throw new IllegalArgumentException("not a SHA-256 in hex: " + sha256);
        }
        return root.resolve(sha256.substring(0, 2)).resolve(sha256);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
