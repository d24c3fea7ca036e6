package dev.kiln.agent.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.PullImageResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.LogConfig;
import com.github.dockerjava.transport.DockerHttpClient;
import dev.kiln.agent.run.BuildSteps;
import dev.kiln.agent.run.BuildUser;
import dev.kiln.agent.run.Executor;
import dev.kiln.agent.run.StartKill;
import dev.kiln.spec.plan.ImageRef;
import dev.kiln.spec.plan.StepPlan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a step whose {@code name} is an image in a container on the agent's Docker engine, as Cloud
 * Build does: the build's workspace bind-mounted at {@code /workspace} (shared with its process
 * steps), the build's network and named volumes ({@link BuildNetwork}), an init process so that a
 * stop takes a tenth of a second, and labels that let the agent find it again ({@link ContainerLabels}).
 * Output comes through a named pipe the engine does not copy ({@link LogPipe}) when the engine is on
 * this machine and the image has {@code /bin/sh}, else attached ({@link AttachStream}); it is never
 * logged by the engine: nothing of it lands on the engine's disk.
 *
 * <p>Containers run as their image's user, usually root. When the agent hands process steps to a
 * build user, the workspace goes back to that user after every container step, so that the next
 * process step, and the clean-up, can change and delete what the container wrote.
 */
public final class ContainerExecutor implements Executor {
    private static final Logger log = LoggerFactory.getLogger(ContainerExecutor.class);
    private static final long ATTACH_MILLIS = 10_000;

    private final DockerEngine engine;
    private final String agentKey;
    private final Optional<BuildUser> owner;
    private final Map<Path, BuildNetwork> builds = new ConcurrentHashMap<>();
    /** Images seen on the engine: one call less per step. An image removed meanwhile fails the create, which says so. */
    private final java.util.Set<String> present = ConcurrentHashMap.newKeySet();
    /** Whether step output goes through a named pipe ({@link LogPipe}), not the engine: an engine on this machine. */
    private final boolean pipes;
    /** By the engine's image id: whether it has the {@code /bin/sh} the pipe needs (else its steps' output comes attached). */
    private final Map<String, Boolean> shells = new ConcurrentHashMap<>();

    /**
     * {@code agentKey}: this agent's {@link ContainerLabels#agentKey}; {@code owner}: who gets the
     * workspace back after each step (the build user of an agent run as root), empty: nobody.
     */
    public ContainerExecutor(DockerEngine engine, String agentKey, Optional<BuildUser> owner) {
        this(engine, agentKey, owner, engine.host().startsWith("unix://") && LogPipe.available());
    }

    /** {@code pipes}: false to have every step's output attached, as for an engine elsewhere. */
    public ContainerExecutor(DockerEngine engine, String agentKey, Optional<BuildUser> owner, boolean pipes) {
        this.engine = engine;
        this.agentKey = agentKey;
        this.owner = owner;
        this.pipes = pipes;
    }

    @Override
    public void prepare(String buildId, Path workspace, Path scratch) throws IOException {
        prepare(buildId, BuildSteps.none(), workspace, scratch);
    }

    /** Starts the build's {@link NetworkHolder} when two or more of its container steps never run beside another. */
    @Override
    public void prepare(String buildId, BuildSteps steps, Path workspace, Path scratch) throws IOException {
        Files.createDirectories(scratch);
        BuildNetwork build = new BuildNetwork(engine, agentKey, buildId);
        builds.put(key(workspace), build);
        Set<Integer> alone = steps.alone();
        build.hold(alone, steps.all().stream().filter(s -> alone.contains(s.index()) && ContainerSpec.isHostName(s.id()))
                .map(StepPlan::id).toList());
    }

    @Override
    public void release(String buildId, Path workspace) {
        BuildNetwork b = builds.remove(key(workspace));
        if (b == null) {
            return;
        }
        b.ahead().settle();
        // On the remover's one thread: the step containers queued for removal go first, so none
        // is half-removed (and still on the network) when the network goes. Waited for even when
        // interrupted (the agent stopping right after a build's end): the engine's connection closes
        // after this, and what is not removed by then would stay on the engine.
        var removal = REMOVER.submit(b::release);
        long until = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(2);
        boolean interrupted = false;
        while (true) {
            try {
                removal.get(Math.max(0, until - System.nanoTime()), java.util.concurrent.TimeUnit.NANOSECONDS);
                break;
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException | RuntimeException e) {
                log.warn("build {}: could not remove its containers, network and volumes from the engine at {}: {}"
                        + " (the agent removes them at its next start)", buildId, engine.host(), e.toString());
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The engine's name of the network of the build in {@code workspace}, made if no step has made
     * it yet; removed, with every container on it, when the build ends. For a built-in builder whose
     * {@code docker run --network cloudbuild} must land on the build's network.
     */
    public String network(Path workspace) {
        BuildNetwork build = builds.get(key(workspace));
        if (build == null) {
            throw new IllegalStateException("prepare() was not called for the build in " + workspace);
        }
        return build.network();
    }

    @Override
    public Execution start(StepPlan step, Path workspace, Path scratch) throws IOException {
        BuildNetwork build = builds.get(key(workspace));
        if (build == null) {
            throw new IllegalStateException("prepare() was not called for the build in " + workspace);
        }
        DockerClient docker = engine.client();
        String id = null;
        AttachStream out = null;
        try {
            ensureImage(step.image());
            for (boolean first = true; ; first = false) {
                ContainerSpec spec = spec(step, workspace, scratch, build);
                LogPipe.Reader piped = spec.pipe() == null ? null : LogPipe.reader(Path.of(spec.pipe()));
                try {
                    id = first ? build.ahead().take(step.index(), spec, docker) : null;
                    if (id == null) {
                        id = create(docker, spec, build, step).exec().getId();
                    }
                    if (piped != null && !hasShell(spec.imageId(), id)) {
                        remove(docker, id);
                        id = null;
                        continue;   // made again, attached
                    }
                    if (piped == null) {
                        out = AttachStream.open(engine.http(), id, ATTACH_MILLIS);
                    }
                    docker.startContainerCmd(id).exec();
                    return new ContainerExecution(this, docker, id, out, piped, workspace);
                } catch (RuntimeException e) {
                    if (!first || spec.network().equals(spec.networkMode()) || EngineErrors.isConnectionFailure(e)) {
                        throw e;
                    }
                    // The holder went away under the build (removed by hand): the step joins the network itself.
                    log.info("build {}: step {} could not join the build's network holder ({}); it joins the network itself",
                            build.buildId(), step.index(), EngineErrors.message(e));
                    build.dropHolder();
                    if (out != null) {
                        out.close();
                        out = null;
                    }
                    if (id != null) {
                        remove(docker, id);
                        id = null;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting the step's container", e);
        } catch (IOException | RuntimeException e) {
            // The engine may be gone: a step that cannot start says why, and so does the build.
            if (out != null) {
                out.close();
            }
            if (id != null) {
                remove(docker, id);
            }
            if (e instanceof IOException io) {
                throw io;
            }
            throw new IOException(describe((RuntimeException) e), e);
        }
    }

    /**
     * Creates the step's container now, while the steps it waits for run, if its image is known to be
     * on the engine (nothing is pulled ahead); {@link #start} takes it if the step still asks for the same.
     */
    @Override
    public void prepareAhead(StepPlan step, List<StepPlan> running, Path workspace, Path scratch) {
        BuildNetwork build = builds.get(key(workspace));
        if (build == null || !present.contains(step.image())) {
            return;
        }
        DockerClient docker = engine.client();
        build.ahead().create(step.index(), () -> {
            ContainerSpec spec = spec(step, workspace, scratch, build);
            return new AheadContainers.Made(spec, create(docker, spec, build, step).exec().getId());
        });
    }

    private ContainerSpec spec(StepPlan step, Path workspace, Path scratch, BuildNetwork build) throws IOException {
        Path script = null;
        if (step.script() != null) {
            script = scratch.resolve("step-" + step.index() + ".sh");
            Files.writeString(script, step.script());
        }
        ContainerSpec spec = ContainerSpec.of(step, workspace, script, build.network(), build.holderFor(step.index()),
                build::volume);
        if (!pipes) {
            return spec;
        }
        // The image's own entrypoint and command, as the engine would use them: asked each time, as
        // a step before may have built the image anew under the same name.
        var image = engine.client().inspectImageCmd(step.image()).exec();
        if (Boolean.FALSE.equals(shells.get(image.getId()))) {
            return spec;
        }
        var config = image.getConfig();
        ContainerSpec piped = spec.piped(scratch.resolve("step-" + step.index() + ".out"), image.getId(),
                config == null || config.getEntrypoint() == null ? null : List.of(config.getEntrypoint()),
                config == null || config.getCmd() == null ? null : List.of(config.getCmd()));
        if (piped == null) {
            return spec;   // nothing to run: the engine says so
        }
        LogPipe.make(Path.of(piped.pipe()));
        return piped;
    }

    private CreateContainerCmd create(DockerClient docker, ContainerSpec spec, BuildNetwork build, StepPlan step) {
        List<Bind> binds = new ArrayList<>();
        spec.binds().forEach((inside, host) -> binds.add(new Bind(host, new com.github.dockerjava.api.model.Volume(inside),
                spec.readOnly().contains(inside) ? AccessMode.ro : AccessMode.rw)));
        spec.mounts().forEach((inside, volume) -> binds.add(new Bind(volume, new com.github.dockerjava.api.model.Volume(inside))));
        HostConfig host = HostConfig.newHostConfig()
                .withInit(true)
                .withBinds(binds)
                .withNetworkMode(spec.networkMode())
                .withLogConfig(new LogConfig(LogConfig.LoggingType.NONE));
        CreateContainerCmd cmd = docker.createContainerCmd(spec.image())
                .withName("kiln-" + build.buildId() + "-" + step.index() + "-" + UUID.randomUUID().toString().substring(0, 6))
                .withLabels(build.labels(step.id()))
                .withEnv(spec.env())
                .withWorkingDir(spec.workingDir())
                .withAttachStdout(true)
                .withAttachStderr(true)
                .withHostConfig(host);
        if (!spec.aliases().isEmpty()) {
            cmd.withAliases(spec.aliases());
        }
        if (spec.entrypoint() != null) {
            cmd.withEntrypoint(spec.entrypoint());
        }
        if (spec.cmd() != null) {
            cmd.withCmd(spec.cmd());
        }
        return cmd;
    }

    /** The image, pulled when the engine does not have it; else why not, naming the image and what was tried. */
    private void ensureImage(String image) throws IOException {
        DockerClient docker = engine.client();
        if (present.contains(image)) {
            return;
        }
        try {
            docker.inspectImageCmd(image).exec();
            present.add(image);
            return;
        } catch (NotFoundException absent) {
            // pull it below
        }
        ImageRef ref = ImageRef.parse(image);
        try {
            PullImageResultCallback pull = docker.pullImageCmd(ref.repository()).withTag(ref.pullTag())
                    .exec(new PullImageResultCallback());
            // A kill while the pull waits (the step's timeout, a cancel) drops the engine's stream.
            try (StartKill.Hook hook = StartKill.onKill(() -> closeQuietly(pull))) {
                pull.awaitCompletion();
            }
            if (StartKill.killed()) {
                throw stopped(image, ref);
            }
            docker.inspectImageCmd(image).exec();
            present.add(image);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while pulling image '" + image + "'", e);
        } catch (RuntimeException e) {
            if (StartKill.killed()) {
                throw stopped(image, ref);   // the failure is the kill's dropped stream, not the registry's
            }
            throw new IOException("image '" + image + "' is not on the Docker engine at " + engine.host()
                    + ", and pulling it from " + ref.registryText() + " failed: " + EngineErrors.message(e), e);
        }
    }

    private static IOException stopped(String image, ImageRef ref) {
        return new IOException("the pull of image '" + image + "' from " + ref.registryText() + " was stopped");
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException gone) {
            // closed already
        }
    }

    /**
     * Whether the image {@code imageId}, of which {@code container} is made, has {@code /bin/sh};
     * asked of the engine once per image. Without it the container's init could not start the pipe's
     * shell, and would end at once with nothing in the pipe.
     */
    private boolean hasShell(String imageId, String container) throws IOException {
        Boolean known = shells.get(imageId);
        if (known != null) {
            return known;
        }
        DockerHttpClient.Request stat = DockerHttpClient.Request.builder()
                .method(DockerHttpClient.Request.Method.GET)   // no HEAD here: the answer's tar is not read
                .path("/containers/" + container + "/archive?path=/bin/sh")
                .build();
        int code;
        try (DockerHttpClient.Response r = engine.http().execute(stat)) {
            code = r.getStatusCode();
        }
        if (code != 200 && code != 404) {
            throw new IOException("the Docker engine answered " + code + " when asked whether image " + imageId + " has /bin/sh");
        }
        shells.put(imageId, code == 200);
        return code == 200;
    }

    /** Gives the workspace back to the build user after a container wrote to it as root. */
    void giveBack(Path workspace) {
        if (owner.isPresent()) {
            try {
                owner.get().own(workspace);
            } catch (IOException e) {
                log.warn("could not give {} back to {}: {}", workspace, owner.get().name(), e.toString());
            }
        }
    }

    String host() {
        return engine.host();
    }

    /**
     * Removes an ended step's container off the step's path: the next step need not wait for it.
     * The build's release removes by label whatever is still there.
     */
    static void removeLater(DockerClient docker, String id) {
        REMOVER.execute(() -> remove(docker, id));
    }

    private static final java.util.concurrent.ExecutorService REMOVER = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "kiln-container-remover");
        t.setDaemon(true);
        return t;
    });

    static void remove(DockerClient docker, String id) {
        try {
            docker.removeContainerCmd(id).withForce(true).withRemoveVolumes(true).exec();
        } catch (NotFoundException gone) {
            // already removed
        } catch (RuntimeException e) {
            log.warn("could not remove container {}: {}", id, e.toString());
        }
    }

    private String describe(RuntimeException e) {
        if (EngineErrors.isConnectionFailure(e)) {
            return "the Docker engine at " + engine.host() + " does not answer (" + EngineErrors.message(e) + ")";
        }
        return "the Docker engine refused the step: " + EngineErrors.message(e);
    }

    private static Path key(Path workspace) {
        return workspace.toAbsolutePath().normalize();
    }
}
