package dev.kiln.agent.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.ConflictException;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the steps of one build share on the engine besides the workspace: a user-defined network
 * (so steps and the services they start reach each other by name) and named volumes, among them
 * Cloud Build's {@code /builder/home}. Made on first use, so a build of process steps makes nothing.
 *
 * <p>Docker network names are global to the engine, and builds on one engine run at once, so the
 * network cannot be called {@code cloudbuild} as on Cloud Build's one-build VM: it is
 * {@code cloudbuild-<build id>}, and steps find the name in {@code $KILN_NETWORK}.
 *
 * <p>Steps that never run beside another of the build's container steps share one network namespace,
 * held on the network by a {@link NetworkHolder}: when the build has two or more such steps, it
 * starts as the build is prepared, and they join it rather than the network.
 */
public final class BuildNetwork {
    private static final Logger log = LoggerFactory.getLogger(BuildNetwork.class);
    private static final long HOLDER_WAIT_SECONDS = 60;
    private static final ExecutorService HOLDERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "kiln-network-holder");
        t.setDaemon(true);
        return t;
    });
    /** What Cloud Build calls the network; the prefix of ours. */
    static final String CLOUDBUILD = "cloudbuild";
    /** Cloud Build's HOME, a volume shared by the build's steps. */
    static final String HOME_PATH = "/builder/home";
    static final String HOME_VOLUME = "builder-home";

    private final DockerEngine engine;
    private final DockerClient docker;
    private final String agentKey;
    private final String buildId;
    private final Set<String> volumes = new HashSet<>();
    private final AheadContainers ahead = new AheadContainers();
    private String network;
    private Set<Integer> joining = Set.of();
    private volatile Future<String> holder;

    BuildNetwork(DockerEngine engine, String agentKey, String buildId) {
        this.engine = engine;
        this.docker = engine.client();
        this.agentKey = agentKey;
        this.buildId = buildId;
    }

    /**
     * The engine's name of the build's network. A built-in builder that runs {@code docker} for a
     * step maps Cloud Build's {@code --network cloudbuild} to this.
     */
    public static String networkName(String buildId) {
        return CLOUDBUILD + "-" + buildId;
    }

    String buildId() {
        return buildId;
    }

    /** The containers made for the build's steps before they start. */
    AheadContainers ahead() {
        return ahead;
    }

    Map<String, String> labels() {
        return ContainerLabels.of(agentKey, buildId);
    }

    Map<String, String> labels(String step) {
        return ContainerLabels.of(agentKey, buildId, step);
    }

    /**
     * Starts the build's network holder, off the caller's thread, for {@code joining}: the steps that
     * never run beside another container step of the build, their ids ({@code aliases}) its names.
     * Does nothing for fewer than two: one step would wait for the holder as long as it saves.
     */
    void hold(Set<Integer> joining, List<String> aliases) {
        if (joining.size() < 2) {
            return;
        }
        this.joining = Set.copyOf(joining);
        holder = HOLDERS.submit(() -> NetworkHolder.start(engine, network(), aliases,
                ContainerLabels.of(agentKey, buildId, NetworkHolder.LABEL), buildId));
    }

    /**
     * The engine's id of the holder step {@code index} joins; null when it joins the network itself:
     * it may run beside another step, the build has no holder, or the holder could not start.
     */
    String holderFor(int index) {
        Future<String> f = holder;
        if (f == null || !joining.contains(index)) {
            return null;
        }
        try {
            return f.get(HOLDER_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            Throwable why = e instanceof ExecutionException ? e.getCause() : e;
            log.info("build {}: its steps join its network one by one ({})", buildId,
                    why instanceof IOException ? why.getMessage() : EngineErrors.message(why));
            holder = null;
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Steps no longer join the holder (it went away under them): each joins the network itself. */
    void dropHolder() {
        holder = null;
    }

    /** The build's network, made on first call. */
    synchronized String network() {
        if (network == null) {
            String name = networkName(buildId);
            try {
                docker.createNetworkCmd().withName(name).withDriver("bridge").withCheckDuplicate(true)
                        .withLabels(labels()).exec();
            } catch (ConflictException exists) {
                // Made by an earlier lease of the same build on this engine: share it.
            }
            network = name;
        }
        return network;
    }

    /** The engine's name of the build's volume {@code name}, made on first call. */
    synchronized String volume(String name) {
        String real = "kiln-" + buildId + "-" + name;
        if (volumes.add(real)) {
            docker.createVolumeCmd().withName(real).withLabels(labels()).exec();
        }
        return real;
    }

    /** Removes the build's containers, the network (with what steps started on it) and the volumes. */
    void release() {
        Future<String> f = holder;
        if (f != null) {
            try {
                f.get(HOLDER_WAIT_SECONDS, TimeUnit.SECONDS);   // a holder still being made is found and removed below
            } catch (ExecutionException | TimeoutException notMade) {
                // nothing made, or the next agent start reaps it by its labels
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        ContainerReaper.reap(docker, labels());
    }
}
