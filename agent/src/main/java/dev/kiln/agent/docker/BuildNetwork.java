package dev.kiln.agent.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.ConflictException;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What the steps of one build share on the engine besides the workspace: a user-defined network
 * (so steps and the services they start reach each other by name) and named volumes, among them
 * Cloud Build's {@code /builder/home}. Made on first use, so a build of process steps makes nothing.
 *
 * <p>Docker network names are global to the engine, and builds on one engine run at once, so the
 * network cannot be called {@code cloudbuild} as on Cloud Build's one-build VM: it is
 * {@code cloudbuild-<build id>}, and steps find the name in {@code $KILN_NETWORK}.
 */
public final class BuildNetwork {
    /** What Cloud Build calls the network; the prefix of ours. */
    static final String CLOUDBUILD = "cloudbuild";
    /** Cloud Build's HOME, a volume shared by the build's steps. */
    static final String HOME_PATH = "/builder/home";
    static final String HOME_VOLUME = "builder-home";

    private final DockerClient docker;
    private final String agentKey;
    private final String buildId;
    private final Set<String> volumes = new HashSet<>();
    private final AheadContainers ahead = new AheadContainers();
    private String network;

    BuildNetwork(DockerClient docker, String agentKey, String buildId) {
        this.docker = docker;
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
        ContainerReaper.reap(docker, labels());
    }
}
