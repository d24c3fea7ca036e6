package dev.kiln.agent.docker.builder;

import dev.kiln.agent.docker.ContainerExecutor;
import dev.kiln.agent.docker.DockerEngine;
import dev.kiln.agent.docker.RegistryLogins;
import dev.kiln.agent.run.Executor;
import dev.kiln.agent.run.ProcessExecutor;
import dev.kiln.agent.run.StepEnvironment;
import dev.kiln.spec.plan.ImageRef;
import dev.kiln.spec.plan.StepPlan;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The built-in {@code gcr.io/cloud-builders/docker} (and {@code docker}) builder: the step's
 * {@code args} are a docker command line run against this agent's engine, as Cloud Build gives its
 * docker builder the engine's socket. {@code build}, {@code tag} and {@code push} run natively
 * through docker-java, so they work where no docker CLI is installed; a Dockerfile that needs
 * BuildKit, and every other subcommand ({@code run}, {@code images}, {@code network}...), a script
 * or another entrypoint, run the docker CLI as a process with {@code DOCKER_HOST} set to the engine.
 * The first line of the step's log says which path was taken.
 *
 * <p>Those processes run as the agent's own user, not the build user: whoever may use the engine's
 * socket is root on this machine anyway, and the build user may not open it.
 */
public final class DockerBuilder implements Executor {
    /** What Cloud Build calls the network its steps share. */
    static final String CLOUDBUILD = "cloudbuild";

    private final DockerEngine engine;
    private final DockerCli clis;
    private final ContainerExecutor containers;
    private final ProcessExecutor processes;

    /**
     * {@code clis}: the docker CLIs to use where the native path cannot go; {@link DockerCli#none()}
     * where there are none. {@code containers}: the agent's container executor, which holds each
     * build's network (Cloud Build's {@code cloudbuild}) from its {@code prepare} to its {@code release}.
     */
    public DockerBuilder(DockerEngine engine, DockerCli clis, ContainerExecutor containers) {
        this.engine = engine;
        this.clis = clis;
        this.containers = containers;
        this.processes = new ProcessExecutor(StepEnvironment.ofThisUser());
    }

    /**
     * The built-in builders this class stands in for, by step image name ({@link ImageRef#DOCKER_BUILDERS}):
     * what a step router maps to it.
     */
    public static Map<String, Executor> builtIns(DockerEngine engine, ContainerExecutor containers) {
        DockerBuilder builder = onPath(engine, containers);
        Map<String, Executor> map = new LinkedHashMap<>();
        ImageRef.DOCKER_BUILDERS.forEach(name -> map.put(name, builder));
        return Map.copyOf(map);
    }

    /** With the {@code docker} CLIs on this process's PATH, if any. */
    public static DockerBuilder onPath(DockerEngine engine, ContainerExecutor containers) {
        return new DockerBuilder(engine, DockerCli.onPath(System.getenv("PATH")), containers);
    }

    @Override
    public Execution start(StepPlan step, Path workspace, Path scratch) throws IOException {
        Path root = workspace.toAbsolutePath().normalize();
        Path dir = step.dir() == null || step.dir().isEmpty() ? root : root.resolve(step.dir()).normalize();
        if (!dir.startsWith(root)) {
            throw new IOException("step '" + step.id() + "': dir '" + step.dir() + "' is outside the workspace");
        }
        if (step.script() != null || (step.entrypoint() != null && !step.entrypoint().equals("docker"))) {
            String what = step.script() != null ? "a script" : "entrypoint '" + step.entrypoint() + "'";
            return process(step, scratch, workspace, null, clis.any(), what
                    + " runs as a process on the agent with the engine's socket (docker CLI: %s)", false);
        }
        DockerCommand cmd = DockerCommand.parse(step.args());
        if (cmd.cliOnly() != null) {
            return process(step, scratch, workspace, cmd.cliOnly(), clis.any(), "docker CLI (%s) with the engine's socket", true);
        }
        if (cmd.subcommand().equals("build")) {
            Path context = dir.resolve(cmd.operands().get(0)).normalize();
            Path dockerfile = cmd.file() == null ? context.resolve("Dockerfile") : dir.resolve(cmd.file()).normalize();
            if (!context.startsWith(root) || !dockerfile.startsWith(root)) {
                throw new IOException("step '" + step.id() + "': the build context and Dockerfile must be inside the workspace");
            }
            Optional<String> buildKit = BuildKitUse.in(dockerfile);
            if (buildKit.isPresent()) {
                return process(step, scratch, workspace, "the Dockerfile needs BuildKit (" + buildKit.get() + ")",
                        clis.withBuildKit(), "docker CLI (%s) with DOCKER_BUILDKIT=1: the Dockerfile needs BuildKit (" + buildKit.get() + ")", true);
            }
            if (Files.isRegularFile(dockerfile) && !dockerfile.startsWith(context)) {
                return process(step, scratch, workspace, "the Dockerfile is outside the build context",
                        clis.any(), "docker CLI (%s): the Dockerfile is outside the build context", true);
            }
            if (CLOUDBUILD.equals(cmd.network())) {
                cmd = new DockerCommand(cmd.subcommand(), cmd.tags(), cmd.file(), cmd.buildArgs(), cmd.labels(), cmd.target(),
                        containers.network(workspace), cmd.noCache(), cmd.operands(), cmd.cliOnly());
            }
            return NativeRun.build(engine, step, cmd, context, dockerfile);
        }
        return cmd.subcommand().equals("tag") ? NativeRun.tag(engine, cmd) : NativeRun.push(engine, cmd, RegistryLogins.read(scratch));
    }

    /** {@code args} with Cloud Build's {@code --network cloudbuild} (or {@code --net}, {@code =}) naming the build's network. */
    static List<String> withBuildNetwork(List<String> args, String network) {
        List<String> out = new ArrayList<>(args);
        for (int i = 0; i < out.size(); i++) {
            String a = out.get(i);
            if (a.equals("--")) {
                break;
            }
            if ((a.equals("--network") || a.equals("--net")) && i + 1 < out.size() && out.get(i + 1).equals(CLOUDBUILD)) {
                out.set(++i, network);
            } else if (a.equals("--network=" + CLOUDBUILD) || a.equals("--net=" + CLOUDBUILD)) {
                out.set(i, a.substring(0, a.indexOf('=') + 1) + network);
            }
        }
        return out;
    }

    /**
     * Runs the step as a docker CLI process. {@code needsCliWhy}: why the native path cannot take it
     * (for the error where no CLI is installed); null for a script, which may not call docker at all.
     */
    private Execution process(StepPlan step, Path scratch, Path workspace, String needsCliWhy, Optional<Path> cli,
                              String banner, boolean runCli) throws IOException {
        if (needsCliWhy != null && cli.isEmpty()) {
            boolean buildKit = banner.contains("DOCKER_BUILDKIT=1");
            throw new IOException("step '" + step.id() + "': " + needsCliWhy + ", which needs the docker CLI"
                    + (buildKit ? " with BuildKit (before 23.0, or with the buildx plugin)" : "") + ", and this agent has "
                    + (buildKit && clis.any().isPresent() ? "only " + clis.any().get() + ", which cannot" : "none on its PATH")
                    + " (build, tag and push without BuildKit run without it)");
        }
        if (!Files.isRegularFile(RegistryLogins.dir(scratch).resolve("config.json"))) {
            // The build's own (empty) config, so that the CLI never falls back to the agent user's logins.
            RegistryLogins.write(scratch, List.of());
        }
        List<String> env = new ArrayList<>(step.env());
        env.add("DOCKER_HOST=" + engine.host());
        env.add("DOCKER_CONFIG=" + RegistryLogins.dir(scratch).toAbsolutePath());
        if (banner.contains("DOCKER_BUILDKIT=1")) {
            env.add("DOCKER_BUILDKIT=1");
        } else if (runCli && step.args().size() > 0 && step.args().get(0).equals("build")) {
            env.add("DOCKER_BUILDKIT=0");
        }
        // The build's network (cloudbuild-<build id>, made now if no step has yet), for docker run --network
        // cloudbuild and for scripts, which find it in $KILN_NETWORK as steps in containers do.
        String network = containers.network(workspace);
        env.add("KILN_NETWORK=" + network);
        String entrypoint = runCli ? cli.map(Path::toString).orElse("docker") : step.entrypoint();
        List<String> args = runCli ? withBuildNetwork(step.args(), network) : step.args();
        if (!args.equals(step.args())) {
            banner += "; --network cloudbuild is this build's network, " + network;
        }
        StepPlan asProcess = new StepPlan(step.index(), step.id(), null, entrypoint, args, step.script(), env,
                step.dir(), step.waitFor(), step.timeoutMillis(), step.allowFailure(), step.allowExitCodes(), step.secretEnv());
        Execution ex = processes.start(asProcess, workspace, scratch);
        String first = "[kiln] docker builder: " + banner.replace("%s", cli.map(Path::toString).orElse("docker")) + "\n";
        InputStream out = new SequenceInputStream(new ByteArrayInputStream(first.getBytes(StandardCharsets.UTF_8)), ex.output());
        return new Execution() {
            @Override
            public InputStream output() {
                return out;
            }

            @Override
            public int waitFor() throws InterruptedException {
                return ex.waitFor();
            }

            @Override
            public void kill() {
                ex.kill();
            }
        };
    }
}
