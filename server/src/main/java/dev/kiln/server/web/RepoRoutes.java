package dev.kiln.server.web;

import dev.kiln.server.access.Access;
import dev.kiln.server.access.AccessGuard;
import dev.kiln.server.access.AuditLog;
import dev.kiln.server.access.Role;
import dev.kiln.server.builds.BuildService;
import dev.kiln.server.disk.DiskFloor;
import dev.kiln.server.git.Refusal;
import dev.kiln.server.git.Repo;
import dev.kiln.server.git.Repos;
import dev.kiln.server.triggers.GitBuilds;
import dev.kiln.server.triggers.Trigger;
import dev.kiln.server.triggers.Triggers;
import dev.kiln.server.store.Build;
import dev.kiln.spec.api.TriggerRun;
import dev.kiln.webui.Templates;
import dev.kiln.webui.view.RepoCard;
import dev.kiln.webui.view.RepoPage;
import dev.kiln.webui.view.ReposPage;
import dev.kiln.webui.view.TriggerCard;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.http.NotFoundResponse;
import java.io.IOException;
import java.util.List;

/**
 * The repos pages: every repo, one repo with its heads, polling and triggers, and each trigger's
 * Run button, which builds a branch, tag or commit as {@code kiln triggers run} does (the same
 * {@link GitBuilds#run}) and opens the new build. A refused run is told on the repo's page, beside
 * its trigger.
 */
final class RepoRoutes {
    private final Repos repos;
    private final Triggers triggers;
    private final GitBuilds gitBuilds;
    private final RepoViews views;
    private final AuditLog audit;

    RepoRoutes(Repos repos, Triggers triggers, GitBuilds gitBuilds, RepoViews views, AuditLog audit) {
        this.audit = audit;
        this.repos = repos;
        this.triggers = triggers;
        this.gitBuilds = gitBuilds;
        this.views = views;
    }

    void register(JavalinConfig config) {
        config.routes.get("/repos", ctx -> WebRoutes.html(ctx, Templates.render("repos.jte",
                new ReposPage(repos.list().stream().map(r -> views.card(ctx, r)).toList()))), Access.read());
        config.routes.get("/repos/{name}", ctx -> WebRoutes.html(ctx, Templates.render("repo.jte", page(ctx, repo(ctx), null))),
                Access.read());
        config.routes.post("/triggers/{name}/run", this::run, Access.repoForm(Role.DEVELOPER));
    }

    private void run(Context ctx) throws IOException {
        Trigger t = trigger(ctx.pathParam("name"));
        AccessGuard.require(ctx, Role.DEVELOPER, t.repo());
        String kind = ctx.formParam("kind") == null ? "" : ctx.formParam("kind");
        String ref = ctx.formParam("ref") == null ? "" : ctx.formParam("ref").strip();
        Refused why;
        try {
            TriggerRun run = switch (kind) {
                case "branch" -> new TriggerRun(ref, null, null, null);
                case "tag" -> new TriggerRun(null, ref, null, null);
                case "sha" -> new TriggerRun(null, null, ref, null);
                default -> throw Refusal.badRequest("choose what to build: a branch, a tag or a sha");
            };
            if (ref.isEmpty()) {
                throw Refusal.badRequest("name the " + kind + " to build");
            }
            Build b = gitBuilds.run(t.name(), run);
            audit.record(ctx, "trigger.run", t.name(), dev.kiln.server.http.GitRoutes.ran(run, b.id()));
            ctx.redirect("/builds/" + b.id(), HttpStatus.SEE_OTHER);
            return;
        } catch (Refusal e) {
            why = new Refused(e.status(), e.getMessage());
        } catch (BuildService.RefusedException e) {
            why = new Refused(400, e.getMessage() + (e.problems().isEmpty() ? "" : ": " + String.join("; ", e.problems())));
        } catch (DiskFloor.DiskFullException e) {
            why = new Refused(507, e.getMessage());
        }
        Repo r = repos.find(t.repo()).orElseThrow(() -> new NotFoundResponse("no repo " + t.repo()));
        ctx.status(why.status());
        WebRoutes.html(ctx, Templates.render("repo.jte", page(ctx, r, new Outcome(t.name(), kind, ref, why.message()))));
    }

    private record Refused(int status, String message) {}

    /** A run that was refused: shown beside its trigger, with what was asked filled in again. */
    private record Outcome(String trigger, String kind, String ref, String why) {}

    private RepoPage page(Context ctx, Repo r, Outcome refused) {
        RepoCard card = views.card(ctx, r);
        List<TriggerCard> cards = views.triggers(card).stream().map(c -> refused != null && c.name().equals(refused.trigger())
                ? c.refused(TriggerCard.RUN_KINDS.contains(refused.kind()) ? refused.kind() : c.runKind(), refused.ref(),
                refused.why()) : c).toList();
        return new RepoPage(card, cards, Viewers.buttons(ctx, r.name()));
    }

    private Repo repo(Context ctx) {
        String name = ctx.pathParam("name");
        return repos.find(name).orElseThrow(() -> new NotFoundResponse("no repo " + name));
    }

    private Trigger trigger(String name) {
        try {
            return triggers.get(name);
        } catch (Refusal e) {
            throw new NotFoundResponse(e.getMessage());
        }
    }
}
