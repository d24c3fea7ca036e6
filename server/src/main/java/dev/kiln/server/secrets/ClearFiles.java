package dev.kiln.server.secrets;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Once, after an upgrade: a directory of clear files an earlier version kept credentials in (one
 * file per name, mode 600) goes into the vault, then away. Files are only deleted once sealed, so
 * a start cut short finishes at the next.
 */
public final class ClearFiles {
    private ClearFiles() {}

    public static void seal(Path dir, Vault vault, Vault.Kind kind) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                if (!name.startsWith(".")) {   // not a temp file of an interrupted write
                    vault.put(kind, "", name, Files.readString(f).strip());
                }
                Files.delete(f);
            }
        }
        Files.delete(dir);
    }
}
