package dev.kiln.agent.docker.builder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Whether a Dockerfile needs BuildKit, which the engine's API (and so docker-java) does not offer:
 * {@code RUN --mount}, {@code --security}/{@code --network} on RUN, heredocs, a {@code # syntax=}
 * frontend. The legacy builder would fail on them with a less clear message.
 */
final class BuildKitUse {
    private static final Pattern RUN_FLAG = Pattern.compile("(?i)^\\s*RUN\\s+--(mount|security|network)\\b");
    private static final Pattern HEREDOC = Pattern.compile("(?i)^\\s*(RUN|COPY)\\s.*<<-?[\"']?[A-Za-z_]+");
    private static final Pattern SYNTAX = Pattern.compile("(?i)^#\\s*syntax\\s*=");

    private BuildKitUse() {}

    /** What needs BuildKit, with its line ("RUN --mount, line 3"), or empty; empty too when there is no file to read. */
    static Optional<String> in(Path dockerfile) {
        List<String> lines;
        try {
            lines = Files.readAllLines(dockerfile);
        } catch (IOException e) {
            return Optional.empty();
        }
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            var m = RUN_FLAG.matcher(l);
            if (m.find()) {
                return Optional.of("RUN --" + m.group(1).toLowerCase() + ", line " + (i + 1));
            }
            if (HEREDOC.matcher(l).find()) {
                return Optional.of("a heredoc, line " + (i + 1));
            }
            if (i == 0 && SYNTAX.matcher(l).find()) {
                return Optional.of("a # syntax= frontend, line 1");
            }
        }
        return Optional.empty();
    }
}
