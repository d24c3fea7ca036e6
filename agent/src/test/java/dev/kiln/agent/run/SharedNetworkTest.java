package dev.kiln.agent.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiln.agent.docker.ContainerLabels;
import dev.kiln.spec.plan.StepPlan;
import dev.kiln.spec.protocol.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Container steps that never run beside another share one network namespace on the build's network
 * (held by a container of Kiln's), and steps that may run together each get their own: what every
 * step sees of the network stays what Cloud Build gives it.
 */
class SharedNetworkTest {
    private static final Pattern HOST = Pattern.compile("(\\w+) host=(\\S+) ip=(\\S+) resolves=(\\S+)");

    @TempDir Path tmp;

    /** Prints the step's host name, its address on the network, and what its own id resolves to. */
    private static String whoAmI(String id) {
        return "echo \"" + id + " host=$(hostname) ip=$(ip -4 -o addr show eth0 | awk '{print $4}' | cut -d/ -f1)"
                + " resolves=$(nslookup " + id + " | awk '/^Address/ {a=$NF} END {print a}')\"";
    }

    @Test
    void steps_that_run_alone_share_one_namespace_and_steps_side_by_side_get_their_own() {
        ContainerBuilds b = new ContainerBuilds(tmp);
        var api = new BuildRunnerTest.Recorder();
        // first; then svc and client side by side; then last
        List<StepPlan> steps = List.of(
                b.sh(0, "first", whoAmI("first")),
                b.container(1, "svc", List.of("sh", "-c", whoAmI("svc") + "; nc -l -p 8080 -e echo pong-from-svc"),
                        List.of(0), List.of()),
                b.container(2, "client", List.of("sh", "-c", whoAmI("client") + "; until nc svc 8080 </dev/null; do sleep 0.1; done"),
                        List.of(0), List.of()),
                b.container(3, "last", List.of("sh", "-c", whoAmI("last") + "; echo network=$KILN_NETWORK"), List.of(1, 2),
                        List.of()));

        Status status = b.run(api, steps);

        String log = api.log.toString();
        assertThat(status).as(log).isEqualTo(Status.SUCCESS);
        Map<String, String[]> seen = new java.util.HashMap<>();
        Matcher m = HOST.matcher(log);
        while (m.find()) {
            seen.put(m.group(1), new String[] {m.group(2), m.group(3), m.group(4)});
        }
        assertThat(seen).as(log).containsOnlyKeys("first", "svc", "client", "last");
        assertThat(seen.get("last")[0]).as("one host name: one namespace").isEqualTo(seen.get("first")[0]);
        assertThat(seen.get("last")[1]).as("and one address").isEqualTo(seen.get("first")[1]);
        assertThat(seen.get("svc")[1]).isNotEqualTo(seen.get("first")[1]).isNotEqualTo(seen.get("client")[1]);
        for (String id : List.of("first", "svc", "client", "last")) {
            assertThat(seen.get(id)[2]).as("%s's id names it on the build's network", id).isEqualTo(seen.get(id)[1]);
        }
        assertThat(log).contains("pong-from-svc\n", "network=cloudbuild-" + b.buildId + "\n");
        assertThat(b.leftOnEngine()).isEmpty();
    }

    @Test
    void a_holder_removed_under_a_running_build_leaves_the_next_steps_to_join_the_network_themselves() throws Exception {
        ContainerBuilds b = new ContainerBuilds(tmp);
        var api = new BuildRunnerTest.Recorder();
        Path workspace = tmp.resolve("builds").resolve(b.buildId).resolve("workspace");
        List<StepPlan> steps = List.of(
                b.sh(0, "first", whoAmI("first") + "; touch ready; until [ -e go ]; do sleep 0.05; done"),
                new StepPlan(1, "second", b.image, null, List.of("sh", "-c", whoAmI("second")), null, List.of(), null,
                        List.of(0), 0, false, List.of(), List.of()));

        CompletableFuture<Status> run = CompletableFuture.supplyAsync(() -> b.run(api, steps));
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(workspace.resolve("ready")));
        var docker = b.engine.client();
        try {
            var holders = docker.listContainersCmd().withShowAll(true).withLabelFilter(Map.of(ContainerLabels.BUILD, b.buildId,
                    ContainerLabels.STEP, "(network holder)")).exec();
            assertThat(holders).hasSize(1);
            docker.removeContainerCmd(holders.get(0).getId()).withForce(true).exec();
        } finally {
            Files.createFile(workspace.resolve("go"));   // the build goes on to its end, and its clean-up, whatever failed here
        }

        String log = api.log.toString();
        assertThat(run.get()).as(log).isEqualTo(Status.SUCCESS);
        log = api.log.toString();
        Matcher m = HOST.matcher(log);
        assertThat(m.find()).isTrue();
        String first = m.group(2);
        assertThat(m.find()).as(log).isTrue();
        assertThat(m.group(1)).isEqualTo("second");
        assertThat(m.group(2)).as("a namespace of its own").isNotEqualTo(first);
        assertThat(m.group(4)).as("named by its id on the network").isEqualTo(m.group(3));
        assertThat(b.leftOnEngine()).isEmpty();
    }
}
