package dev.kiln.server.promotion;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.server.support.RawHttp;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.api.PolicyRequest;
import dev.kiln.spec.api.PromotionView;
import dev.kiln.spec.protocol.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the flow tells its {@link Promotions.Notifier} (the webhooks' source): one event per change a
 * person would want a message about, with the promotion's repo, commit, state and reason. A recording
 * notifier stands where the webhook sender goes.
 */
class PromotionEventsTest {
    /** Fails on prod when the commit has a file break-prod: a production build that breaks. */
    static final String CONFIG = """
            steps:
              - id: evaluate
                args: [sh, -c, 'if [ "$1" = prod ] && [ -f break-prod ]; then echo broken on prod >&2; exit 3; fi;
                       echo "::metric accuracy=$(cat acc.txt)"; cp acc.txt model.pkl', sh, '$_ENV']
                artifacts: [model.pkl]
            """;

    record Event(String name, String repo, Map<String, Object> data) {}

    @TempDir Path tmp;
    PromotionRig rig;
    final List<Event> events = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        if (rig != null) {
            rig.close();
        }
    }

    private PromotionView push(String accuracy, boolean breakProd) throws Exception {
        Map<String, String> files = new java.util.HashMap<>(Map.of("build.yaml", CONFIG, "acc.txt", accuracy + "\n"));
        if (breakProd) {
            files.put("break-prod", "yes\n");
        }
        BuildView b = rig.pushDev("accuracy " + accuracy, files, Duration.ofSeconds(60));
        assertThat(b.status()).isEqualTo(Status.SUCCESS);
        PromotionView p = rig.newest();
        assertThat(p.build()).isEqualTo(b.id());
        return p;
    }

    private BuildView approveAndBuild(PromotionView p) throws Exception {
        RawHttp.Response r = rig.approve("alice", p);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return rig.handled(rig.awaitBuild("prod", p.commit(), Duration.ofSeconds(60)));
    }

    private List<String> names() {
        return events.stream().map(Event::name).toList();
    }

    @Test
    void each_change_of_a_flow_is_published_with_what_a_message_needs() throws Exception {
        rig = PromotionRig.start(tmp, null, true);
        rig.promotions().notifier((event, repo, data) -> events.add(new Event(event, repo, data)));
        rig.policy(new PolicyRequest("dev", "prod", true, 1, null, false, null, List.of("accuracy >= production - 0.01")));

        PromotionView first = push("0.90", false);
        assertThat(names()).containsExactly("promotion.awaiting_approval");
        assertThat(events.get(0).repo()).isEqualTo("churn");
        assertThat(events.get(0).data()).containsEntry("promotion", first.id()).containsEntry("commit", first.commit())
                .containsEntry("state", "AWAITING_APPROVAL").containsEntry("build", first.build())
                .containsEntry("from", "dev").containsEntry("to", "prod").containsEntry("kind", "PROMOTION");

        assertThat(approveAndBuild(first).status()).isEqualTo(Status.SUCCESS);
        assertThat(names()).containsExactly("promotion.awaiting_approval", "promotion.promoted");
        assertThat(events.get(1).data()).containsEntry("promotion", first.id()).containsEntry("state", "PROMOTED");

        PromotionView worse = push("0.80", false);
        assertThat(worse.state()).isEqualTo("GATES_FAILED");
        Event gates = events.get(2);
        assertThat(gates.name()).isEqualTo("promotion.gates_failed");
        assertThat(gates.data()).containsEntry("promotion", worse.id()).containsEntry("state", "GATES_FAILED");
        assertThat((String) gates.data().get("detail")).contains("'accuracy >= production - 0.01': accuracy is 0.8, not >= 0.89");

        PromotionView unwanted = push("0.91", false);
        RawHttp.Response r = rig.reject("bob", unwanted, "drift on tenure");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(names().subList(3, names().size())).containsExactly("promotion.awaiting_approval", "promotion.rejected");
        assertThat(events.get(4).data()).containsEntry("promotion", unwanted.id())
                .containsEntry("detail", "rejected by bob: drift on tenure");

        PromotionView broken = push("0.92", true);
        BuildView prod = approveAndBuild(broken);
        assertThat(prod.status()).isEqualTo(Status.FAILURE);
        PromotionView failed = rig.get(broken.id());
        assertThat(failed.state()).isEqualTo("FAILED");
        assertThat(failed.detail()).startsWith("production build " + prod.id() + " ended FAILURE")
                .contains("the registry keeps its production version");
        assertThat(names().subList(5, names().size())).containsExactly("promotion.awaiting_approval",
                "production.build_failed", "promotion.failed");
        assertThat(events.get(6).repo()).isEqualTo("churn");
        assertThat(events.get(6).data()).containsEntry("build", prod.id()).containsEntry("status", "FAILURE")
                .containsEntry("commit", broken.commit()).containsEntry("branch", "prod");
        assertThat(events.get(7).data()).containsEntry("promotion", broken.id()).containsEntry("state", "FAILED");
        assertThat(rig.audit("promotion.fail")).containsExactly(broken.id());
        assertThat(rig.kiln.server.promotions().registry().current("churn").orElseThrow().version()).isEqualTo(1);
    }

    /** Nobody is asked to approve under a policy without approval: no message may say somebody is. */
    @Test
    void a_policy_without_approval_publishes_the_promotion_and_no_request_for_an_approval() throws Exception {
        rig = PromotionRig.start(tmp, null, true);
        rig.promotions().notifier((event, repo, data) -> events.add(new Event(event, repo, data)));
        rig.policy(new PolicyRequest("dev", "prod", false, 1, null, false, null, List.of("accuracy >= 0.5")));

        for (String accuracy : List.of("0.90", "0.95")) {
            PromotionView p = push(accuracy, false);
            BuildView prod = rig.handled(rig.awaitBuild("prod", p.commit(), Duration.ofSeconds(60)));
            assertThat(prod.status()).isEqualTo(Status.SUCCESS);
            assertThat(rig.get(p.id()).state()).isEqualTo("PROMOTED");
        }
        assertThat(names()).containsExactly("promotion.promoted", "promotion.promoted");

        // A rollback under it is the same: moved at once, told once it is done.
        RawHttp.Response asked = rig.call("bob", "POST", "/api/models/churn/rollback", Map.of("to", 1, "comment", "v2 drifts"));
        assertThat(asked.status()).as(asked.body()).isEqualTo(201);
        PromotionView rb = dev.kiln.spec.json.Json.read(asked.body(), new com.fasterxml.jackson.core.type.TypeReference<PromotionView>() {});
        assertThat(rb.prodBuild()).isNotNull();
        rig.handled(rig.kiln.awaitEnd(rb.prodBuild(), Duration.ofSeconds(60)));
        assertThat(rig.get(rb.id()).state()).isEqualTo("PROMOTED");
        assertThat(names()).containsExactly("promotion.promoted", "promotion.promoted", "promotion.promoted");
    }
}
