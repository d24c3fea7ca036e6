package dev.kiln.server.web;

import dev.kiln.server.access.Access;
import dev.kiln.server.access.AccessGuard;
import dev.kiln.server.access.AuditLog;
import dev.kiln.server.access.BrowserSessions;
import dev.kiln.server.access.Principal;
import dev.kiln.server.access.Role;
import dev.kiln.server.builds.BuildService;
import dev.kiln.server.events.BuildEvents;
import dev.kiln.server.http.Params;
import dev.kiln.server.scheduler.Scheduler;
import dev.kiln.server.store.Build;
import dev.kiln.server.store.BuildStore;
import dev.kiln.webui.Templates;
import dev.kiln.webui.view.AgentRow;
import dev.kiln.webui.view.AgentsPage;
import dev.kiln.webui.view.BuildsPage;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.NotFoundResponse;
import io.javalin.http.sse.SseHandler;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The dashboard's pages and forms: the builds list, a build, the agents, and the cancel,
 * retry, approve and reject buttons. Routes only translate: they read the request, call the store or a service,
 * and render a view record with a JTE template.
 */
public final class WebRoutes {
    static final int PAGE = 50;

    private final BuildService builds;
    private final BuildStore store;
    private final Scheduler scheduler;
    private final PageViews views;
    private final BuildEvents events;
    private final BrowserSessions sessions;
    private final AuditLog audit;

    public WebRoutes(BuildService builds, BuildStore store, Scheduler scheduler, PageViews views, BuildEvents events,
                     BrowserSessions sessions, AuditLog audit) {
        this.sessions = sessions;
        this.events = events;
        this.audit = audit;
        this.builds = builds;
        this.store = store;
        this.scheduler = scheduler;
        this.views = views;
    }

    public void register(JavalinConfig config) {
        config.routes.get("/", this::list, Access.read());
        config.routes.get("/ui/builds/live", this::liveRows, Access.read());
        config.routes.get("/builds/{id}", this::build, Access.read());
        config.routes.get("/agents", this::agents, Access.read());
        config.routes.post("/builds/{id}/cancel", ctx -> {
            Build b = allowed(ctx, Role.DEVELOPER);
            if (builds.cancel(b.id())) {
                audit.record(ctx, "build.cancel", b.id(), b.repo() == null ? null : "repo " + b.repo());
            }
            ctx.redirect("/builds/" + b.id(), io.javalin.http.HttpStatus.SEE_OTHER);
        }, Access.repoForm(Role.DEVELOPER));
        config.routes.post("/builds/{id}/retry", ctx -> {
            Build b = allowed(ctx, Role.DEVELOPER);
            Build retry = builds.retry(b.id());
            audit.record(ctx, "build.retry", b.id(), "new build " + retry.id());
            ctx.redirect("/builds/" + retry.id(), io.javalin.http.HttpStatus.SEE_OTHER);
        }, Access.repoForm(Role.DEVELOPER));
        config.routes.post("/builds/{id}/approve", ctx -> decide(ctx, true), Access.repoForm(Role.APPROVER));
        config.routes.post("/builds/{id}/reject", ctx -> decide(ctx, false), Access.repoForm(Role.APPROVER));
    }

    /**
     * Approves or rejects a PENDING build as {@code kiln builds approve|reject} does (the same
     * service; the signed-in token's name is the approver), then shows it. A build decided already
     * shows its page again, saying so.
     */
    /** The build of the path, once its caller is known to hold {@code role} on its repo (else 403). */
    private Build allowed(Context ctx, Role role) {
        Build b = find(ctx);
        AccessGuard.require(ctx, role, b.repo());
        return b;
    }

    private void decide(Context ctx, boolean approve) {
        Build b = allowed(ctx, Role.APPROVER);
        Principal who = ctx.attribute(AccessGuard.PRINCIPAL);
        String comment = ctx.formParam("comment");
        try {
            if (approve) {
                builds.approve(b.id(), who.name(), comment);
            } else {
                builds.reject(b.id(), who.name(), comment);
            }
            audit.record(ctx, approve ? "build.approve" : "build.reject", b.id(), comment);
        } catch (BuildService.ConflictException e) {
            Build now = find(ctx);
            ctx.status(409);
            html(ctx, Templates.render("build.jte", views.page(now, store.steps(now.id()), Viewers.buttons(ctx, now.repo()))
                    .withError(e.getMessage())));
            return;
        }
        ctx.redirect("/builds/" + b.id(), io.javalin.http.HttpStatus.SEE_OTHER);
    }

    private void list(Context ctx) {
        BuildsPage.Filters f = new BuildsPage.Filters(q(ctx, "status"), q(ctx, "repo"), q(ctx, "branch"), q(ctx, "trigger"));
        Long before = ctx.queryParam("before") == null ? null : Params.query(ctx, "before", 1, Long.MAX_VALUE, 0);
        List<Build> page = store.list(PAGE + 1, before, filter(ctx, f));
        boolean more = page.size() > PAGE;
        List<Build> shown = more ? page.subList(0, PAGE) : page;
        String query = query(f);
        String older = more ? "/?" + query + (query.isEmpty() ? "" : "&") + "before=" + shown.get(PAGE - 1).seq() : "";
        String newest = before == null ? "" : "/" + (query.isEmpty() ? "" : "?" + query);
        // The newest page tells its live feed what it showed, so a build made before the feed connects is still added.
        String live = "/ui/builds/live?" + query + (query.isEmpty() ? "" : "&") + (before == null
                ? "after=" + shown.stream().mapToLong(Build::seq).max().orElse(0) : "before=" + before);
        html(ctx, Templates.render("builds.jte",
                new BuildsPage(shown.stream().map(views::row).toList(), f, older, newest, live)));
    }

    private void liveRows(Context ctx) {
        Streams.requireEventStream(ctx);
        BuildsPage.Filters f = new BuildsPage.Filters(q(ctx, "status"), q(ctx, "repo"), q(ctx, "branch"), q(ctx, "trigger"));
        Long before = ctx.queryParam("before") == null ? null : Params.query(ctx, "before", 1, Long.MAX_VALUE, 0);
        long after = ctx.queryParam("after") == null ? -1 : Params.query(ctx, "after", 0, Long.MAX_VALUE, 0);
        BuildStore.Filter filter = filter(ctx, f);
        new SseHandler(client -> {
            client.keepAlive();
            sessions.endWithSession(ctx, client);
            Streams.start("kiln-rows", new LiveRows(client, store, views, events, PAGE, before, after, filter));
        }).handle(ctx);
    }

    private static BuildStore.Filter filter(Context ctx, BuildsPage.Filters f) {
        return new BuildStore.Filter(blankToNull(f.repo()), f.branch().isEmpty() ? null : "refs/heads/" + f.branch(),
                blankToNull(f.trigger()), f.status().isEmpty() ? null : Params.status(ctx, "status"));
    }

    private void build(Context ctx) {
        Build b = find(ctx);
        html(ctx, Templates.render("build.jte", views.page(b, store.steps(b.id()), Viewers.buttons(ctx, b.repo()))));
    }

    private void agents(Context ctx) {
        Map<String, List<String>> running = new LinkedHashMap<>();
        for (Build b : store.working()) {
            if (b.agentId() != null) {
                running.computeIfAbsent(b.agentId(), k -> new ArrayList<>()).add(b.id());
            }
        }
        List<AgentRow> rows = scheduler.agents(Duration.ofMinutes(2)).stream().map(a -> new AgentRow(a.id(), a.labels(),
                running.getOrDefault(a.id(), List.of()), PageViews.iso(a.lastSeen()), PageViews.shortTime(a.lastSeen())))
                .toList();
        html(ctx, Templates.render("agents.jte", new AgentsPage(rows)));
    }

    private Build find(Context ctx) {
        String id = ctx.pathParam("id");
        return store.get(id).orElseThrow(() -> new NotFoundResponse("no build " + id));
    }

    /** Sends a rendered page, its header saying who is signed in. */
    static void html(Context ctx, String page) {
        ctx.contentType("text/html; charset=utf-8").result(Viewers.withHeader(ctx, page));
    }

    private static String q(Context ctx, String name) {
        String v = ctx.queryParam(name);
        return v == null ? "" : v.strip();
    }

    private static String blankToNull(String s) {
        return s.isEmpty() ? null : s;
    }

    private static String query(BuildsPage.Filters f) {
        StringBuilder b = new StringBuilder();
        for (String[] kv : new String[][] {{"status", f.status()}, {"repo", f.repo()}, {"branch", f.branch()},
                {"trigger", f.trigger()}}) {
            if (!kv[1].isEmpty()) {
                b.append(b.length() == 0 ? "" : "&").append(kv[0]).append('=').append(URLEncoder.encode(kv[1], StandardCharsets.UTF_8));
            }
        }
        return b.toString();
    }
}
