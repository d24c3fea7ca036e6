package dev.kiln.server.http;

import dev.kiln.server.access.Access;
import dev.kiln.server.access.AccessGuard;
import dev.kiln.server.access.AuditLog;
import dev.kiln.server.access.Principal;
import dev.kiln.server.access.Role;
import dev.kiln.server.git.BranchProtection;
import dev.kiln.server.git.GitHosting;
import dev.kiln.server.git.Repo;
import dev.kiln.server.git.Repos;
import dev.kiln.server.git.poll.Poller;
import dev.kiln.server.triggers.GitBuilds;
import dev.kiln.server.triggers.Trigger;
import dev.kiln.server.triggers.Triggers;
import dev.kiln.spec.api.RepoRequest;
import dev.kiln.spec.api.RepoView;
import dev.kiln.spec.api.TriggerRun;
import dev.kiln.spec.api.TriggerView;
import dev.kiln.spec.config.Durations;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The REST API of repos ({@code /api/repos}) and triggers ({@code /api/triggers}). Routes only translate. */
public final class GitRoutes {
    private final Repos repos;
    private final Triggers triggers;
    private final GitBuilds gitBuilds;
    private final Poller poller;
    private final String publicUrl;
    private final BranchProtection protection;
    private final AuditLog audit;

    /** {@code publicUrl}: the server's --public-url (null: webhook URLs are told as the caller reached the server). */
    public GitRoutes(Repos repos, Triggers triggers, GitBuilds gitBuilds, Poller poller, String publicUrl,
                     BranchProtection protection, AuditLog audit) {
        this.repos = repos;
        this.protection = protection;
        this.audit = audit;
        this.triggers = triggers;
        this.gitBuilds = gitBuilds;
        this.poller = poller;
        this.publicUrl = publicUrl == null || publicUrl.isBlank() ? null : publicUrl.replaceAll("/+$", "");
    }

    void register(JavalinConfig config, Views views) {
        config.routes.post("/api/repos", ctx -> {
            Repo r = repos.create(ctx.bodyAsClass(RepoRequest.class));
            audit.record(ctx, "repo.add", r.name(), r.kind().name().toLowerCase(java.util.Locale.ROOT));
            ctx.status(201).header("Location", "/api/repos/" + r.name()).json(view(ctx, r));
        }, Access.write(Role.ADMIN));
        config.routes.get("/api/repos", ctx -> {
            List<RepoView> all = new ArrayList<>();
            for (Repo r : repos.list()) {
                all.add(view(ctx, r));
            }
            ctx.json(all);
        }, Access.read());
        config.routes.get("/api/repos/{name}", ctx -> ctx.json(view(ctx, repos.get(ctx.pathParam("name")))), Access.read());
        config.routes.delete("/api/repos/{name}", ctx -> {
            repos.delete(ctx.pathParam("name"));
            audit.record(ctx, "repo.delete", ctx.pathParam("name"), null);
            ctx.status(204);
        }, Access.write(Role.ADMIN));

        // A branch name may hold slashes: they come encoded (release%2F1.x), one path parameter.
        config.routes.post("/api/repos/{name}/protected/{branch}", ctx -> {
            String repo = ctx.pathParam("name");
            if (protection.protect(repo, ctx.pathParam("branch"))) {
                audit.record(ctx, "repo.protect", repo + " " + ctx.pathParam("branch"), null);
            }
            ctx.json(view(ctx, repos.get(repo)));
        }, Access.write(Role.ADMIN));
        config.routes.delete("/api/repos/{name}/protected/{branch}", ctx -> {
            String repo = ctx.pathParam("name");
            if (protection.unprotect(repo, ctx.pathParam("branch"))) {
                audit.record(ctx, "repo.unprotect", repo + " " + ctx.pathParam("branch"), null);
            }
            ctx.json(view(ctx, repos.get(repo)));
        }, Access.write(Role.ADMIN));

        config.routes.post("/api/triggers", ctx -> {
            Trigger t = triggers.create(ctx.bodyAsClass(TriggerView.class));
            audit.record(ctx, "trigger.create", t.name(), "repo " + t.repo());
            ctx.status(201).header("Location", "/api/triggers/" + t.name()).json(view(t));
        }, Access.write(Role.ADMIN));
        config.routes.get("/api/triggers", ctx -> ctx.json(triggers.list(ctx.queryParam("repo")).stream()
                .map(GitRoutes::view).toList()), Access.read());
        config.routes.get("/api/triggers/{name}", ctx -> ctx.json(view(triggers.get(ctx.pathParam("name")))), Access.read());
        config.routes.delete("/api/triggers/{name}", ctx -> {
            triggers.delete(ctx.pathParam("name"));
            audit.record(ctx, "trigger.delete", ctx.pathParam("name"), null);
            ctx.status(204);
        }, Access.write(Role.ADMIN));
        config.routes.post("/api/triggers/{name}/enable", ctx -> enable(ctx, true), Access.write(Role.ADMIN));
        config.routes.post("/api/triggers/{name}/disable", ctx -> enable(ctx, false), Access.write(Role.ADMIN));
        config.routes.post("/api/triggers/{name}/run", ctx -> {
            AccessGuard.require(ctx, Role.DEVELOPER, triggers.get(ctx.pathParam("name")).repo());
            TriggerRun run = ctx.bodyAsClass(TriggerRun.class);
            var b = gitBuilds.run(ctx.pathParam("name"), run);
            audit.record(ctx, "trigger.run", ctx.pathParam("name"), ran(run, b.id()));
            ctx.status(201).header("Location", "/api/builds/" + b.id()).json(views.build(b));
        }, Access.repoWrite(Role.DEVELOPER));
    }

    private void enable(Context ctx, boolean on) {
        Trigger t = triggers.setEnabled(ctx.pathParam("name"), on);
        audit.record(ctx, on ? "trigger.enable" : "trigger.disable", t.name(), null);
        ctx.json(view(t));
    }

    /** What an audit entry of a run says: what was asked to build and the build it made. */
    public static String ran(TriggerRun run, String buildId) {
        String what = run == null ? "its branch" : run.branch() != null ? "branch " + run.branch()
                : run.tag() != null ? "tag " + run.tag() : run.sha() != null ? "commit " + run.sha() : "its branch";
        return what + " -> build " + buildId;
    }

    /**
     * The repo with its heads; a hosted one with the URL to push to, as the caller reached this server,
     * naming the caller as git's user (git then asks a credential helper for that user's token).
     */
    private RepoView view(Context ctx, Repo r) throws IOException {
        Map<String, String> heads = repos.heads(r.name());
        String base = publicUrl != null ? publicUrl : ctx.scheme() + "://" + ctx.host();
        boolean hosted = r.kind() == Repo.Kind.HOSTED;
        Principal who = AccessGuard.principal(ctx);
        String user = who == null || who == Principal.ANONYMOUS ? "" : who.name() + "@";
        String gitUrl = hosted ? ctx.scheme() + "://" + user + ctx.host() + GitHosting.PATH + r.name() + ".git" : null;
        var poll = poller.state(r.name());
        return new RepoView(r.name(), r.kind().name(), r.url(),
                r.pollInterval() == null ? null : Durations.format(r.pollInterval()), r.credentialsUser(), gitUrl, heads,
                time(r.createTime()), time(r.lastPollTime()), r.lastPollError(), time(r.lastSuccessTime()),
                hosted ? null : base + HookRoutes.PATH + r.name(), repos.webhookSecret(r.name()).isPresent(),
                poll.map(s -> Instant.ofEpochMilli(s.nextDue())).orElse(null), poll.map(s -> s.failures()).orElse(0),
                r.forge() == null ? null : r.forge().kind(), r.forge() == null ? null : r.forge().apiUrl(),
                r.forge() == null ? null : r.forge().project(), time(r.lastStatusTime()), r.lastStatusError(),
                hosted ? protection.list(r.name()) : List.of());
    }

    static TriggerView view(Trigger t) {
        return new TriggerView(t.name(), t.repo(), t.branchRegex(), t.tagRegex(), t.invert(), t.configPath(),
                t.includedFiles(), t.ignoredFiles(), t.substitutions(), t.enabled(), time(t.createTime()), t.pullRequest(),
                t.commentControl(), t.approvalRequired(), t.schedule(), t.scheduleBranch(), t.collaborators());
    }

    private static Instant time(Long millis) {
        return millis == null ? null : Instant.ofEpochMilli(millis);
    }
}
