package dev.kiln.server.web;

import dev.kiln.server.access.Access;
import dev.kiln.server.access.AccessGuard;
import dev.kiln.server.access.Principal;
import dev.kiln.server.access.Role;
import dev.kiln.server.git.Refusal;
import dev.kiln.server.git.Repo;
import dev.kiln.server.git.Repos;
import dev.kiln.server.promotion.Promotion;
import dev.kiln.server.promotion.PromotionFlow;
import dev.kiln.spec.api.DecisionRequest;
import dev.kiln.webui.Templates;
import dev.kiln.webui.view.PromotionsPage;
import io.javalin.config.JavalinConfig;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.http.NotFoundResponse;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The promotions pages ({@code /promotions}, one promotion with its Approve and Reject forms) and
 * the models pages ({@code /models}, one repo's versions and metric charts). Deciding goes through
 * the same {@code Promotions.approve/reject} as {@code kiln promotions approve}; a refusal (403, 409)
 * is told on the promotion's page.
 */
final class PromotionPages {
    static final int PAGE = 100;

    private final PromotionFlow flow;
    private final Repos repos;
    private final PromotionViews views;
    private final ModelViews models;

    PromotionPages(PromotionFlow flow, Repos repos, PromotionViews views, ModelViews models) {
        this.flow = flow;
        this.repos = repos;
        this.views = views;
        this.models = models;
    }

    void register(JavalinConfig config) {
        config.routes.get("/promotions", this::list, Access.read());
        config.routes.get("/promotions/{id}", ctx -> {
            Promotion p = find(ctx);
            WebRoutes.html(ctx, Templates.render("promotion.jte", views.page(p, buttons(ctx, p))));
        }, Access.read());
        config.routes.post("/promotions/{id}/approve", ctx -> decide(ctx, true), Access.repoForm(Role.APPROVER));
        config.routes.post("/promotions/{id}/reject", ctx -> decide(ctx, false), Access.repoForm(Role.APPROVER));
        config.routes.get("/models", ctx -> WebRoutes.html(ctx, Templates.render("models.jte", models.list())), Access.read());
        config.routes.get("/models/{name}", ctx -> WebRoutes.html(ctx, Templates.render("model.jte",
                models.page(repo(ctx)))), Access.read());
    }

    private void list(Context ctx) {
        String repo = q(ctx, "repo");
        if (repo.length() > 100) {
            throw new BadRequestResponse("repo must be at most 100 characters");
        }
        String state = q(ctx, "state").toUpperCase(Locale.ROOT);
        List<String> states = Arrays.stream(Promotion.State.values()).map(Enum::name).toList();
        if (!state.isEmpty() && !states.contains(state)) {
            throw new BadRequestResponse("state must be one of " + states);
        }
        List<Promotion> shown = flow.promotions().list(repo.isEmpty() ? null : repo,
                state.isEmpty() ? null : Promotion.State.valueOf(state), PAGE);
        WebRoutes.html(ctx, Templates.render("promotions.jte", new PromotionsPage(shown.stream().map(views::row).toList(),
                repo, state, states, repos.list().stream().map(Repo::name).toList())));
    }

    /**
     * Approves or rejects as the signed-in user, once they are known to hold the policy's approver
     * role on the promotion's repo; then the promotion's page again, or, refused, the page saying why.
     */
    private void decide(Context ctx, boolean approve) {
        Promotion p = find(ctx);
        AccessGuard.require(ctx, p.approverRole(), p.repo());
        Principal who = AccessGuard.principal(ctx);
        String comment = ctx.formParam("comment");
        try {
            if (approve) {
                flow.promotions().approve(p.id(), who, new DecisionRequest(comment, ctx.formParam("commit"),
                        ctx.formParam("metricsDigest"), ctx.formParam("artifactsDigest")));
            } else {
                flow.promotions().reject(p.id(), who, comment);
            }
        } catch (Refusal e) {
            Promotion now = find(ctx);
            ctx.status(e.status());
            WebRoutes.html(ctx, Templates.render("promotion.jte", views.page(now, buttons(ctx, now)).withError(e.getMessage())));
            return;
        }
        ctx.redirect("/promotions/" + p.id(), HttpStatus.SEE_OTHER);
    }

    /** The viewer's buttons: deciding needs the policy's approver role (admin, when the policy says so). */
    private static dev.kiln.webui.view.Buttons buttons(Context ctx, Promotion p) {
        dev.kiln.webui.view.Buttons b = Viewers.buttons(ctx, p.repo());
        Principal who = AccessGuard.principal(ctx);
        return new dev.kiln.webui.view.Buttons(b.csrf(), b.signedIn(), b.run(),
                b.signedIn() && who != null && who.can(p.approverRole(), p.repo()));
    }

    private Promotion find(Context ctx) {
        String id = ctx.pathParam("id");
        return flow.promotions().get(id).orElseThrow(() -> new NotFoundResponse("no promotion " + id));
    }

    private String repo(Context ctx) {
        String name = ctx.pathParam("name");
        return repos.find(name).map(Repo::name).orElseThrow(() -> new NotFoundResponse("no repo " + name));
    }

    private static String q(Context ctx, String name) {
        String v = ctx.queryParam(name);
        return v == null ? "" : v.strip();
    }
}
