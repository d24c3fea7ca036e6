package dev.kiln.agent.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Removes what builds leave behind: a workspace, a work directory. */
public final class Trees {
    private static final Logger log = LoggerFactory.getLogger(Trees.class);

    private Trees() {}

    /** Deletes {@code dir} and everything under it (links, not what they point to); logs what it cannot. */
    public static void delete(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            log.warn("could not remove {}: {}", dir, e.getMessage());
        }
    }
}
