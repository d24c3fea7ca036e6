package dev.kiln.agent.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Network;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes containers, networks and volumes that carry given labels: a build's at its end, and at an
 * agent's start everything its crashed predecessor (same {@code kiln.agent} key) left. Never
 * anything without the agent's key: other agents share the engine. Containers a step started
 * itself on the build's network (a service under test) go with the network, as they would with
 * Cloud Build's worker.
 */
public final class ContainerReaper {
    private static final Logger log = LoggerFactory.getLogger(ContainerReaper.class);

    private ContainerReaper() {}

    /** What the agent with {@code agentKey} left on the engine, removed; returns how many objects went. */
    public static int reapAgent(DockerEngine engine, String agentKey) {
        return reap(engine.client(), Map.of(ContainerLabels.AGENT, agentKey));
    }

    static int reap(DockerClient docker, Map<String, String> labels) {
        int removed = 0;
        List<String> filter = ContainerLabels.filter(labels);
        for (Container c : docker.listContainersCmd().withShowAll(true).withLabelFilter(labels).exec()) {
            removed += removeContainer(docker, c.getId());
        }
        for (Network n : docker.listNetworksCmd().withFilter("label", filter).exec()) {
            // Containers a step started on the network itself carry no labels of ours: they go with it,
            // those that ended too (the network lists only running ones), or a next build's
            // docker run --name would find the name taken.
            try {
                Network full = docker.inspectNetworkCmd().withNetworkId(n.getId()).exec();
                Set<String> on = new LinkedHashSet<>(full.getContainers() == null ? Set.of() : full.getContainers().keySet());
                docker.listContainersCmd().withShowAll(true).withNetworkFilter(List.of(n.getId())).exec()
                        .forEach(c -> on.add(c.getId()));
                for (String id : on) {
                    removed += removeContainer(docker, id);
                }
                docker.removeNetworkCmd(n.getId()).exec();
                removed++;
            } catch (NotFoundException gone) {
                // removed meanwhile
            } catch (RuntimeException e) {
                log.warn("could not remove network {}: {}", n.getName(), e.getMessage());
            }
        }
        var volumes = docker.listVolumesCmd().withFilter("label", filter).exec().getVolumes();
        if (volumes != null) {
            for (var v : volumes) {
                try {
                    docker.removeVolumeCmd(v.getName()).exec();
                    removed++;
                } catch (NotFoundException gone) {
                    // removed meanwhile
                } catch (RuntimeException e) {
                    log.warn("could not remove volume {}: {}", v.getName(), e.getMessage());
                }
            }
        }
        return removed;
    }

    private static int removeContainer(DockerClient docker, String id) {
        try {
            docker.removeContainerCmd(id).withForce(true).withRemoveVolumes(true).exec();
            return 1;
        } catch (NotFoundException gone) {
            return 0;
        } catch (RuntimeException e) {
            log.warn("could not remove container {}: {}", id, e.getMessage());
            return 0;
        }
    }
}
