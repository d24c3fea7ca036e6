package dev.kiln.agent.client;

import static dev.kiln.agent.client.ApiClient.enc;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.kiln.spec.api.DecisionRequest;
import dev.kiln.spec.api.ModelVersionView;
import dev.kiln.spec.api.PolicyRequest;
import dev.kiln.spec.api.PolicyView;
import dev.kiln.spec.api.PromotionView;
import dev.kiln.spec.api.RollbackRequest;
import java.io.IOException;
import java.util.List;

/** Promotion as the CLI sees it: a repo's policy, promotions and decisions, and the model registry. */
public final class PromotionClient {
    private final ApiClient api;

    public PromotionClient(ApiClient api) {
        this.api = api;
    }

    public PolicyView policy(String repo) throws IOException, InterruptedException {
        return api.call("GET", "/api/repos/" + enc(repo) + "/policy", null, new TypeReference<PolicyView>() {});
    }

    /** Replaces the repo's policy with {@code policy} (absent fields take the server's defaults). */
    public PolicyView setPolicy(String repo, PolicyRequest policy) throws IOException, InterruptedException {
        return api.call("PUT", "/api/repos/" + enc(repo) + "/policy", policy, new TypeReference<PolicyView>() {});
    }

    public void removePolicy(String repo) throws IOException, InterruptedException {
        api.call("DELETE", "/api/repos/" + enc(repo) + "/policy", null, null);
    }

    /** Promotions newest first, only of {@code repo} and in {@code state} when given. */
    public List<PromotionView> list(String repo, String state, int limit) throws IOException, InterruptedException {
        String q = "/api/promotions?limit=" + limit + (repo == null ? "" : "&repo=" + enc(repo))
                + (state == null ? "" : "&state=" + enc(state));
        return api.call("GET", q, null, new TypeReference<List<PromotionView>>() {});
    }

    public PromotionView get(String id) throws IOException, InterruptedException {
        return api.call("GET", "/api/promotions/" + enc(id), null, new TypeReference<PromotionView>() {});
    }

    /**
     * Approves the promotion as {@code shown}: the server takes the approval only if its commit, metrics
     * and artifacts are still those (a 409 otherwise), so what was approved is what the approver saw.
     */
    public PromotionView approve(PromotionView shown, String comment) throws IOException, InterruptedException {
        return api.call("POST", "/api/promotions/" + enc(shown.id()) + "/approve",
                new DecisionRequest(comment, shown.commit(), shown.metricsDigest(), shown.artifactsDigest()),
                new TypeReference<PromotionView>() {});
    }

    public PromotionView reject(String id, String comment) throws IOException, InterruptedException {
        return api.call("POST", "/api/promotions/" + enc(id) + "/reject", new DecisionRequest(comment, null, null, null),
                new TypeReference<PromotionView>() {});
    }

    /** The production version of every repo's model. */
    public List<ModelVersionView> models() throws IOException, InterruptedException {
        return api.call("GET", "/api/models", null, new TypeReference<List<ModelVersionView>>() {});
    }

    /** Every version of {@code repo}'s model, newest first. */
    public List<ModelVersionView> history(String repo) throws IOException, InterruptedException {
        return api.call("GET", "/api/models/" + enc(repo), null, new TypeReference<List<ModelVersionView>>() {});
    }

    /** {@code version}: {@code production}, {@code 3} or {@code v3}. */
    public ModelVersionView version(String repo, String version) throws IOException, InterruptedException {
        return api.call("GET", "/api/models/" + enc(repo) + "/versions/" + enc(version), null,
                new TypeReference<ModelVersionView>() {});
    }

    /** Asks to bring version {@code to} back to production: a promotion of its own, decided as any other. */
    public PromotionView rollback(String repo, int to, String comment) throws IOException, InterruptedException {
        return api.call("POST", "/api/models/" + enc(repo) + "/rollback", new RollbackRequest(to, comment),
                new TypeReference<PromotionView>() {});
    }
}
