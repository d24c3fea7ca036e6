package dev.kiln.agent.docker;

import dev.kiln.spec.config.Volume;
import dev.kiln.spec.plan.StepPlan;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the engine is asked to create for one step: a pure function of the step, so that it can be
 * checked without an engine. Cloud Build's layout: the workspace at {@code /workspace}, the step's
 * {@code dir} below it, HOME on the build's {@code /builder/home} volume; a {@code script} runs with
 * the image's {@code sh} (or its {@code #!} line) from a read-only file.
 *
 * @param entrypoint null: the image's own
 * @param cmd        null: the image's own
 * @param mounts     container path to the engine's volume name (the build's named volumes)
 * @param binds      container path to host path, read-write unless listed in {@code readOnly}
 * @param network    the build's network, as steps see it in {@code $KILN_NETWORK}
 * @param networkMode what the engine is asked: the build's network, or {@code container:<id>} of the
 *                   build's {@link NetworkHolder}, whose namespace on that network the step then shares
 * @param aliases    the step's names on the network (none when it shares the holder's, which has them)
 * @param imageId    the engine's id of {@code image} when the spec was made for it ({@link #piped}), else null
 */
record ContainerSpec(String image, List<String> entrypoint, List<String> cmd, List<String> env, String workingDir,
                     Map<String, String> binds, List<String> readOnly, Map<String, String> mounts, String network,
                     String networkMode, List<String> aliases, String imageId) {
    static final String WORKSPACE = "/workspace";
    static final String SCRIPT = "/kiln/step-script";
    private static final String HOSTNAME = "[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?";

    /** Resolves a build's named volume to the engine's name for it. */
    interface Volumes {
        String engineName(String name);
    }

    /** {@code holder}: the engine's id of the build's network holder the step joins, or null. */
    static ContainerSpec of(StepPlan step, Path workspace, Path scriptFile, String network, String holder, Volumes volumes)
            throws IOException {
        Path root = workspace.toAbsolutePath().normalize();
        String dir = step.dir() == null || step.dir().isEmpty() ? "." : step.dir();
        Path resolved = root.resolve(dir).normalize();
        if (!resolved.startsWith(root)) {
            throw new IOException("step '" + step.id() + "': dir '" + step.dir() + "' is outside the workspace");
        }
        String rel = root.relativize(resolved).toString();
        String workingDir = rel.isEmpty() ? WORKSPACE : WORKSPACE + "/" + rel;

        Map<String, String> binds = new LinkedHashMap<>();
        binds.put(WORKSPACE, root.toString());
        List<String> readOnly = new ArrayList<>();
        List<String> entrypoint = step.entrypoint() == null ? null : List.of(step.entrypoint());
        List<String> cmd = step.args().isEmpty() && step.entrypoint() == null ? null : step.args();
        if (step.script() != null) {
            binds.put(SCRIPT, scriptFile.toAbsolutePath().toString());
            readOnly.add(SCRIPT);
            entrypoint = scriptArgv(step.script());
            cmd = List.of();
        }
        Map<String, String> mounts = new LinkedHashMap<>();
        mounts.put(BuildNetwork.HOME_PATH, volumes.engineName(BuildNetwork.HOME_VOLUME));
        for (Volume v : step.volumes()) {
            mounts.put(v.path(), volumes.engineName(v.name()));
        }
        List<String> env = new ArrayList<>();
        env.add("HOME=" + BuildNetwork.HOME_PATH);
        env.add("KILN_NETWORK=" + network);
        env.addAll(step.env());
        List<String> aliases = holder == null && isHostName(step.id()) ? List.of(step.id()) : List.of();
        return new ContainerSpec(step.image(), entrypoint, cmd, List.copyOf(env), workingDir, binds, List.copyOf(readOnly),
                mounts, network, holder == null ? network : "container:" + holder, aliases, null);
    }

    /**
     * This spec with the step's output sent into the named pipe {@code pipe} (see {@link LogPipe}):
     * the image's {@code /bin/sh} opens it as stdout and stderr, then becomes the step's command,
     * which is what the engine would have run (the step's entrypoint, else the image's, then the
     * step's args, else the image's command, as {@code docker run} puts them together). Null when
     * there is no command to run; the engine then says so.
     */
    ContainerSpec piped(Path pipe, String imageId, List<String> imageEntrypoint, List<String> imageCmd) {
        List<String> argv = new ArrayList<>();
        if (entrypoint != null) {
            argv.addAll(entrypoint);
            argv.addAll(cmd == null ? List.of() : cmd);
        } else {
            argv.addAll(imageEntrypoint == null ? List.of() : imageEntrypoint);
            argv.addAll(cmd != null ? cmd : imageCmd == null ? List.of() : imageCmd);
        }
        if (argv.isEmpty()) {
            return null;
        }
        Map<String, String> withPipe = new LinkedHashMap<>(binds);
        withPipe.put(LogPipe.INSIDE, pipe.toAbsolutePath().toString());
        return new ContainerSpec(image, PIPE_SHELL, List.copyOf(argv), env, workingDir, withPipe, readOnly, mounts, network,
                networkMode, aliases, imageId);
    }

    /** {@code exec}: the step's command keeps the shell's process, so signals and the exit code are its own. */
    static final List<String> PIPE_SHELL = List.of("/bin/sh", "-c", "exec \"$@\" >" + LogPipe.INSIDE + " 2>&1", "kiln-step");

    /** The host's end of the named pipe the step's output goes into, or null: the engine's attach stream carries it. */
    String pipe() {
        return binds.get(LogPipe.INSIDE);
    }

    /** Whether a step's id can be its name on the network. */
    static boolean isHostName(String id) {
        return id.matches(HOSTNAME);
    }

    /** As a process step runs its script: the {@code #!} line's interpreter (the rest of the line one argument), else {@code sh -e}. */
    static List<String> scriptArgv(String script) {
        if (!script.startsWith("#!")) {
            return List.of("sh", "-e", SCRIPT);
        }
        String line = script.lines().findFirst().orElse("#!").substring(2).strip();
        List<String> argv = new ArrayList<>();
        int space = line.indexOf(' ');
        argv.add(space < 0 ? line : line.substring(0, space));
        if (space >= 0 && !line.substring(space).isBlank()) {
            argv.add(line.substring(space).strip());
        }
        argv.add(SCRIPT);
        return List.copyOf(argv);
    }
}
