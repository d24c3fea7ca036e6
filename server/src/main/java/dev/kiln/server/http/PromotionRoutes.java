package dev.kiln.server.http;

import dev.kiln.server.access.Access;
import dev.kiln.server.access.AccessGuard;
import dev.kiln.server.access.AuditLog;
import dev.kiln.server.access.Role;
import dev.kiln.server.git.Refusal;
import dev.kiln.server.promotion.Promotion;
import dev.kiln.server.promotion.PromotionFlow;
import dev.kiln.server.promotion.PromotionPolicy;
import dev.kiln.spec.api.DecisionRequest;
import dev.kiln.spec.api.ModelVersionView;
import dev.kiln.spec.api.PolicyRequest;
import dev.kiln.spec.api.RollbackRequest;
import io.javalin.config.JavalinConfig;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import java.util.Locale;

/**
 * Promotion over HTTP: a repo's policy ({@code /api/repos/{name}/policy}), promotions and the
 * decisions on them ({@code /api/promotions}), and the model registry ({@code /api/models}).
 * Approving and rejecting need the policy's approver role on the repo, checked by the flow itself.
 */
public final class PromotionRoutes {
    private final PromotionFlow flow;
    private final AuditLog audit;

    public PromotionRoutes(PromotionFlow flow, AuditLog audit) {
        this.flow = flow;
        this.audit = audit;
    }

    void register(JavalinConfig config) {
        config.routes.get("/api/repos/{name}/policy", ctx -> ctx.json(flow.policy(ctx.pathParam("name"))
                .orElseThrow(() -> Refusal.notFound("repo " + ctx.pathParam("name") + " has no promotion policy"))
                .view()), Access.read());
        config.routes.put("/api/repos/{name}/policy", ctx -> {
            var p = flow.setPolicy(ctx.pathParam("name"), ctx.bodyAsClass(PolicyRequest.class),
                    AccessGuard.principal(ctx).name());
            audit.record(ctx, "policy.set", p.repo(), p.from() + " -> " + p.to() + ", gates " + p.view().gates()
                    + (p.requireApproval() ? ", " + p.approvals() + " approval(s) by " + p.approverRole().label() : ", no approval")
                    + (p.preventSelfApproval() ? ", no self-approval" : "") + ", expires " + p.view().expires());
            ctx.json(p.view());
        }, Access.write(Role.ADMIN));
        config.routes.delete("/api/repos/{name}/policy", ctx -> {
            if (!flow.removePolicy(ctx.pathParam("name"))) {
                throw Refusal.notFound("repo " + ctx.pathParam("name") + " has no promotion policy");
            }
            audit.record(ctx, "policy.remove", ctx.pathParam("name"), null);
            ctx.status(204);
        }, Access.write(Role.ADMIN));

        config.routes.get("/api/promotions", ctx -> ctx.json(flow.promotions().list(ctx.queryParam("repo"), state(ctx),
                (int) Params.query(ctx, "limit", 1, 500, 50)).stream().map(flow.promotions()::view).toList()), Access.read());
        config.routes.get("/api/promotions/{id}", ctx -> ctx.json(flow.promotions().view(promotion(ctx))), Access.read());
        config.routes.post("/api/promotions/{id}/approve", ctx -> {
            Promotion p = decidable(ctx);
            ctx.json(flow.promotions().view(flow.promotions().approve(p.id(), AccessGuard.principal(ctx),
                    ctx.bodyAsClass(DecisionRequest.class))));
        }, Access.repoWrite(Role.APPROVER));
        config.routes.post("/api/promotions/{id}/reject", ctx -> {
            Promotion p = decidable(ctx);
            DecisionRequest d = ctx.bodyAsClass(DecisionRequest.class);
            ctx.json(flow.promotions().view(flow.promotions().reject(p.id(), AccessGuard.principal(ctx),
                    d == null ? null : d.comment())));
        }, Access.repoWrite(Role.APPROVER));

        config.routes.get("/api/models", ctx -> ctx.json(flow.registry().production()), Access.read());
        config.routes.get("/api/models/{name}", ctx -> ctx.json(flow.registry().history(repo(ctx))), Access.read());
        config.routes.get("/api/models/{name}/versions/{version}", ctx -> ctx.json(version(ctx)), Access.read());
        config.routes.post("/api/models/{name}/rollback", ctx -> {
            String repo = repo(ctx);
            AccessGuard.require(ctx, flow.policy(repo).map(PromotionPolicy::approverRole).orElse(Role.APPROVER), repo);
            RollbackRequest r = ctx.bodyAsClass(RollbackRequest.class);
            if (r == null || r.to() < 1) {
                throw new BadRequestResponse("the body must name the version to bring back: {\"to\": 3, \"comment\": \"...\"}");
            }
            ctx.status(201).json(flow.promotions().view(flow.promotions().rollback(repo, r.to(),
                    AccessGuard.principal(ctx), r.comment())));
        }, Access.repoWrite(Role.APPROVER));
    }

    private Promotion promotion(Context ctx) {
        String id = ctx.pathParam("id");
        return flow.promotions().get(id).orElseThrow(() -> Refusal.notFound("no promotion " + id));
    }

    /** The promotion, once the caller is known to hold its policy's approver role on its repo (else 403). */
    private Promotion decidable(Context ctx) {
        Promotion p = promotion(ctx);
        AccessGuard.require(ctx, p.approverRole(), p.repo());
        return p;
    }

    private String repo(Context ctx) {
        String name = ctx.pathParam("name");
        flow.policy(name);   // 404 for an unknown repo
        return name;
    }

    /** {@code production} or a version number, with or without its {@code v}. */
    private ModelVersionView version(Context ctx) {
        String repo = repo(ctx);
        String raw = ctx.pathParam("version").strip().toLowerCase(Locale.ROOT);
        if (raw.equals("production") || raw.equals("current")) {
            return flow.registry().current(repo).orElseThrow(() -> Refusal.notFound(repo + " has no production model yet"));
        }
        int v = (int) Params.count("version", raw.startsWith("v") ? raw.substring(1) : raw, 1, Integer.MAX_VALUE);
        return flow.registry().get(repo, v).orElseThrow(() -> Refusal.notFound(repo + " has no model version " + v));
    }

    private static Promotion.State state(Context ctx) {
        String raw = ctx.queryParam("state");
        if (raw == null || raw.isBlank()) {
            return null;
        }
        try {
            return Promotion.State.valueOf(raw.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new BadRequestResponse("state must be one of " + java.util.Arrays.toString(Promotion.State.values()));
        }
    }
}
