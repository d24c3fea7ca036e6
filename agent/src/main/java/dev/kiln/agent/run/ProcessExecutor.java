package dev.kiln.agent.run;

import dev.kiln.spec.plan.StepPlan;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs a step as a process on the agent, in its own session (via {@code setsid}) so that a kill
 * reaches every process it started, not only the first; with an environment built from scratch,
 * and as the build user when the agent runs as root ({@link StepEnvironment}).
 */
public final class ProcessExecutor implements Executor {
    private static final boolean HAS_SETSID = Files.isExecutable(Path.of("/usr/bin/setsid"));
    /**
     * Steps of different builds run as the same build user, and a process may read the environment
     * (secrets among it) of any other process of its user in /proc. Each step run as the build user
     * gets a PID namespace and a /proc of its own, so it sees its own processes only; when its first
     * process ends, the kernel ends every process left in the namespace.
     */
    private static final List<String> OWN_PIDS = Files.isExecutable(Path.of("/usr/bin/unshare"))
            ? List.of("/usr/bin/unshare", "--pid", "--fork", "--mount-proc", "--kill-child") : List.of();
    static {
        // vfork+exec costs about half of the default posix_spawn through jspawnhelper; every step pays it.
        if (System.getProperty("jdk.lang.Process.launchMechanism") == null) {
            System.setProperty("jdk.lang.Process.launchMechanism", "VFORK");
        }
    }

    private final StepEnvironment environment;

    public ProcessExecutor(StepEnvironment environment) {
        this.environment = environment;
    }

    /**
     * The workspace (and the build's own HOME, used when no other is) go to the build user before
     * any step runs; scratch, where this agent writes step scripts, stays the agent's, so that no
     * step can plant a link there for it to write through.
     */
    @Override
    public void prepare(Path workspace, Path scratch) throws IOException {
        Path home = home(scratch);
        Files.createDirectories(scratch);
        Files.createDirectories(home);
        if (environment.user().isPresent()) {
            BuildUser u = environment.user().get();
            u.own(workspace);
            u.own(home);
            Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
        }
    }

    @Override
    public Execution start(StepPlan step, Path workspace, Path scratch) throws IOException {
        if (!step.isLocal()) {
            throw new IOException("step '" + step.id() + "' runs in image '" + step.image()
                    + "'; this agent runs process steps only (a step with no 'name' or 'name: local')");
        }
        // Normalize both sides: a workspace given as a/./b or a/../b must still contain its own dirs.
        Path root = workspace.toAbsolutePath().normalize();
        Path dir = step.dir() == null || step.dir().isEmpty() ? root : root.resolve(step.dir()).normalize();
        if (!dir.startsWith(root)) {
            throw new IOException("step '" + step.id() + "': dir '" + step.dir() + "' is outside the workspace");
        }
        List<String> command = new ArrayList<>();
        if (HAS_SETSID) {
            command.add("/usr/bin/setsid");
        }
        Path cwd = dir;
        if (environment.user().isPresent()) {
            command.addAll(OWN_PIDS);
            command.addAll(environment.user().get().prefix());
            if (!dir.equals(root)) {
                // Earlier steps own the workspace and may have left links in it: the step's dir is
                // made and entered as the build user, never by this agent with its own rights.
                cwd = root;
                command.addAll(List.of("/bin/sh", "-c", "mkdir -p -- \"$0\" && cd -- \"$0\" && exec \"$@\"",
                        root.relativize(dir).toString()));
            }
        } else {
            Files.createDirectories(dir);
        }
        command.addAll(command(step, scratch));
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(cwd.toFile())
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Map<String, String> env = pb.environment();
        env.clear();
        env.putAll(environment.base(System.getenv(), home(scratch)));
        try {
            for (String e : step.env()) {
                int eq = e.indexOf('=');
                env.put(e.substring(0, eq), e.substring(eq + 1));
            }
            return new ProcessExecution(pb.start());
        } catch (IllegalArgumentException e) {
            // What the OS cannot take (a NUL in a variable or an argument): the config parser refuses
            // it, so only a plan made elsewhere gets here, and the step says why it did not start.
            throw new IOException("step '" + step.id() + "' cannot start: " + e.getMessage(), e);
        }
    }

    /** The build's own HOME, beside its scratch directory: for an agent that has none to give. */
    static Path home(Path scratch) {
        return scratch.resolveSibling("home");
    }

    static List<String> command(StepPlan step, Path scratch) throws IOException {
        if (step.script() != null) {
            Files.createDirectories(scratch);
            Path file = scratch.resolve("step-" + step.index() + ".sh");
            Files.writeString(file, step.script());
            if (step.script().startsWith("#!")) {
                // Run the interpreter named on the #! line rather than exec the file itself: a file
                // just written can still be open in a child forked meanwhile, and exec then fails
                // with "Text file busy". As the kernel does, the rest of the line is one argument.
                String line = step.script().lines().findFirst().orElse("#!").substring(2).strip();
                List<String> argv = new ArrayList<>();
                int space = line.indexOf(' ');
                argv.add(space < 0 ? line : line.substring(0, space));
                if (space >= 0 && !line.substring(space).isBlank()) {
                    argv.add(line.substring(space).strip());
                }
                argv.add(file.toString());
                return argv;
            }
            return List.of("/bin/sh", "-e", file.toString());
        }
        List<String> argv = new ArrayList<>();
        if (step.entrypoint() != null) {
            argv.add(step.entrypoint());
        }
        argv.addAll(step.args());
        return argv;
    }

    private static final class ProcessExecution implements Execution {
        private final Process process;
        private final AtomicBoolean killed = new AtomicBoolean();

        ProcessExecution(Process process) {
            this.process = process;
            if (HAS_SETSID) {
                GroupKiller.track(process.pid());
            }
            // Background processes a step leaves behind end with it, as they would in a container.
            process.onExit().thenRun(this::killGroup);
        }

        @Override
        public InputStream output() {
            return process.getInputStream();
        }

        @Override
        public int waitFor() throws InterruptedException {
            return process.waitFor();
        }

        @Override
        public void kill() {
            if (killed.compareAndSet(false, true)) {
                // The step's own process goes first: killed after its children it could still react
                // (print "Killed", exit 0 from a 'wait'). The tree is listed before, while it still hangs together.
                List<ProcessHandle> tree = process.descendants().toList();
                // Through the handle: Process.destroyForcibly() would also close output(), and a
                // reader still draining it would get "Stream closed" instead of the end of the log.
                process.toHandle().destroyForcibly();
                tree.forEach(ProcessHandle::destroyForcibly);
                killGroup();
            }
        }

        private void killGroup() {
            if (HAS_SETSID) {
                GroupKiller.kill(process.pid());
            }
        }
    }
}
