package dev.kiln.server.support;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real git CLI, isolated from the machine's and the user's configuration: its own HOME and
 * XDG_CONFIG_HOME, no system config, a fixed author, and branch names always given explicitly.
 */
public final class GitCli {
    private final Path home;

    private GitCli(Path home) {
        this.home = home;
    }

    /** A git CLI whose HOME and XDG_CONFIG_HOME are under {@code tmp}; fails in CI, skips elsewhere, when git is missing. */
    public static GitCli in(Path tmp) throws IOException {
        boolean ok;
        try {
            Process p = new ProcessBuilder("git", "--version").redirectErrorStream(true).start();
            ok = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            ok = false;
        }
        Requirements.require(ok, "needs the git CLI (apt-get install git)");
        return new GitCli(Files.createDirectories(tmp.resolve("git-home")));
    }

    /** Runs {@code git args} in {@code dir}; returns its output, or fails the test with it. */
    public String run(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("git", "-c", "init.defaultBranch=main", "-c", "protocol.version=2"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("HOME", home.toString());
        pb.environment().put("XDG_CONFIG_HOME", home.resolve("xdg").toString());
        pb.environment().put("GIT_CONFIG_NOSYSTEM", "1");
        pb.environment().put("GIT_TERMINAL_PROMPT", "0");
        pb.environment().put("GIT_AUTHOR_NAME", "Ada Lovelace");
        pb.environment().put("GIT_AUTHOR_EMAIL", "ada@example.com");
        pb.environment().put("GIT_COMMITTER_NAME", "Ada Lovelace");
        pb.environment().put("GIT_COMMITTER_EMAIL", "ada@example.com");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            fail("git " + String.join(" ", args) + " failed:\n" + out);
        }
        return out;
    }

    /** A new work tree at {@code dir} on branch {@code branch}. */
    public Path init(Path dir, String branch) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        run(dir, "init", "-q", "-b", branch);
        return dir;
    }

    /** Writes {@code files} (name -> content), adds everything and commits; returns the new commit's SHA. */
    public String commit(Path dir, String message, java.util.Map<String, String> files) throws IOException, InterruptedException {
        TestServer.repo(dir, files);
        run(dir, "add", "-A");
        run(dir, "commit", "-q", "--allow-empty", "-m", message);
        return head(dir);
    }

    public String head(Path dir) throws IOException, InterruptedException {
        return run(dir, "rev-parse", "HEAD").strip();
    }
}
