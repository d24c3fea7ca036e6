package dev.kiln.server.support;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A {@code kiln} command in its own JVM, as a user would run it; output goes to a file. */
public final class KilnProcess implements AutoCloseable {
    public final Process process;
    public final Path output;

    private KilnProcess(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    public static KilnProcess start(Path workdir, String... args) throws IOException {
        return start(workdir, java.util.Map.of(), List.of(), args);
    }

    /** With {@code env} added to the environment, and {@code prefix} (such as setpriv) before java. */
    public static KilnProcess start(Path workdir, java.util.Map<String, String> env, List<String> prefix, String... args)
            throws IOException {
        return start(workdir, env, prefix, new java.io.File("/dev/null"), args);
    }

    /** With {@code input} as its standard input (a password for --password-stdin). */
    public static KilnProcess withInput(Path workdir, String input, String... args) throws IOException {
        Files.createDirectories(workdir);
        Path in = Files.createTempFile(workdir, "stdin", ".txt");
        Files.writeString(in, input);
        return start(workdir, java.util.Map.of(), List.of(), in.toFile(), args);
    }

    /** With {@code input} as its standard input and {@code env} added to its environment. */
    public static KilnProcess withInput(Path workdir, String input, java.util.Map<String, String> env, String... args)
            throws IOException {
        Files.createDirectories(workdir);
        Path in = Files.createTempFile(workdir, "stdin", ".txt");
        Files.writeString(in, input);
        return start(workdir, env, List.of(), in.toFile(), args);
    }

    private static KilnProcess start(Path workdir, java.util.Map<String, String> env, List<String> prefix, java.io.File input,
                                     String... args) throws IOException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("dev.kiln.server.cli.Main");
        cmd.addAll(List.of(args));
        Files.createDirectories(workdir);
        Path out = Files.createTempFile(workdir, "kiln-" + args[0], ".out");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workdir.toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile()).redirectInput(ProcessBuilder.Redirect.from(input));
        pb.environment().put("XDG_CONFIG_HOME", workdir.resolve("xdg").toString());
        pb.environment().remove("KILN_SERVER");
        pb.environment().remove("KILN_TOKEN");
        pb.environment().putAll(env);
        return new KilnProcess(pb.start(), out);
    }

    public String output() {
        try {
            return Files.readString(output);
        } catch (IOException e) {
            return "";
        }
    }

    /** Waits for a line matching {@code regex} and returns its first group. */
    public String awaitLine(String regex, Duration within) {
        Pattern p = Pattern.compile(regex);
        String[] found = new String[1];
        await().atMost(within).pollInterval(Duration.ofMillis(50)).until(() -> {
            if (!process.isAlive() && !p.matcher(output()).find()) {
                throw new AssertionError("process ended (exit " + process.exitValue() + ") before printing /" + regex
                        + "/:\n" + output());
            }
            Matcher m = p.matcher(output());
            if (m.find()) {
                found[0] = m.groupCount() > 0 ? m.group(1) : m.group();
                return true;
            }
            return false;
        });
        return found[0];
    }

    public int awaitExit(Duration within) throws InterruptedException {
        if (!process.waitFor(within.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("still running after " + within + ":\n" + output());
        }
        return process.exitValue();
    }

    /** SIGKILL, as a crash or the OOM killer would. */
    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroy();
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
