package dev.kiln.agent.docker.builder;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The docker CLIs on this agent. Any runs {@code docker run}; BuildKit needs one that can: a CLI
 * before 23.0 has it built in, a later one only through its buildx plugin (without it,
 * {@code DOCKER_BUILDKIT=1 docker build} fails). A machine may have both, a newer client first on
 * PATH and the distribution's beside it, so each is asked once, when first needed.
 */
public final class DockerCli {
    private static final Pattern VERSION = Pattern.compile("version (\\d+)\\.");

    private final List<Path> candidates;
    private Optional<Path> buildKit;

    public DockerCli(List<Path> candidates) {
        this.candidates = List.copyOf(candidates);
    }

    /** Every {@code docker} on {@code path}, in order. */
    public static DockerCli onPath(String path) {
        List<Path> found = new ArrayList<>();
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                Path p = Path.of(dir.isEmpty() ? "." : dir, "docker").toAbsolutePath().normalize();
                if (Files.isRegularFile(p) && Files.isExecutable(p) && !found.contains(realPath(p))) {
                    found.add(realPath(p));
                }
            }
        }
        return new DockerCli(found);
    }

    public static DockerCli none() {
        return new DockerCli(List.of());
    }

    /** The CLI for everything but a BuildKit build: the first found. */
    public Optional<Path> any() {
        return candidates.stream().findFirst();
    }

    /** The first CLI that can build with BuildKit. */
    public synchronized Optional<Path> withBuildKit() {
        if (buildKit == null) {
            buildKit = candidates.stream().filter(DockerCli::canBuildKit).findFirst();
        }
        return buildKit;
    }

    private static boolean canBuildKit(Path cli) {
        String version = run(cli, "--version");
        Matcher m = VERSION.matcher(version == null ? "" : version);
        if (m.find() && Integer.parseInt(m.group(1)) < 23) {
            return true;
        }
        return run(cli, "buildx", "version") != null;
    }

    /** Its output, or null if it failed or took over 10 s. */
    private static String run(Path cli, String... args) {
        List<String> cmd = new ArrayList<>(List.of(cli.toString()));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                return null;
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static Path realPath(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p;
        }
    }
}
