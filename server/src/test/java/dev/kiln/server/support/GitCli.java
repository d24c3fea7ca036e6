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
 * Credentials for a Kiln server go where a user keeps them: git's own credential store
 * ({@link #signIn}), or the URL.
 */
public final class GitCli {
    private final Path home;
    private final java.util.Map<String, String> env = new java.util.LinkedHashMap<>();

    /** What a git command printed (stdout and stderr) and its exit code. */
    public record Result(int exit, String output) {}

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
        Result r = attempt(dir, args);
        if (r.exit() != 0) {
            fail("git " + String.join(" ", args) + " failed:\n" + r.output());
        }
        return r.output();
    }

    /** Runs {@code git args} in {@code dir}, whether it succeeds or not. */
    public Result attempt(Path dir, String... args) throws IOException, InterruptedException {
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
        pb.environment().remove("KILN_TOKEN");
        pb.environment().remove("KILN_SERVER");
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("git " + String.join(" ", args) + " did not end within 120 s:\n" + out);
        }
        return new Result(p.exitValue(), out);
    }

    /** Sets {@code name} in the environment of every git command from now on (and of its credential helpers). */
    public GitCli env(String name, String value) {
        env.put(name, value);
        return this;
    }

    /**
     * Keeps {@code user} and {@code token} for the server at {@code serverUrl} in git's credential
     * store, as {@code git credential-store} does for a user who typed them once.
     */
    public GitCli signIn(String serverUrl, String user, String token) throws IOException, InterruptedException {
        java.net.URI u = java.net.URI.create(serverUrl);
        Files.writeString(home.resolve(".git-credentials"),
                u.getScheme() + "://" + user + ":" + token + "@" + u.getRawAuthority() + "\n");
        run(home, "config", "--global", "credential.helper", "store");
        return this;
    }

    /** As {@link #signIn(String, String, String)}, as the admin of {@code kiln} with its admin token. */
    public GitCli signIn(TestServer kiln) throws IOException, InterruptedException {
        return signIn(kiln.server.url(), "admin", kiln.server.adminToken());
    }

    /** {@code url} of a Kiln repo with {@code user} and {@code token} in it, as a user may paste it. */
    public static String withCredentials(String url, String user, String token) {
        return url.replaceFirst("^(https?://)([^@/]*@)?", "$1" + user + ":" + token + "@");
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
