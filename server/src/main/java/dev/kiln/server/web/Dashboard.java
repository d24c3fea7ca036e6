package dev.kiln.server.web;

import dev.kiln.server.access.AuditLog;
import dev.kiln.server.builds.BuildService;
import dev.kiln.server.events.BuildEvents;
import dev.kiln.server.git.Repos;
import dev.kiln.server.git.poll.Poller;
import dev.kiln.server.metrics.ServerMetrics;
import dev.kiln.server.logs.LogStore;
import dev.kiln.server.scheduler.Scheduler;
import dev.kiln.server.artifacts.BuildArtifacts;
import dev.kiln.server.results.BuildMetrics;
import dev.kiln.server.store.BuildImages;
import dev.kiln.server.store.BuildStore;
import dev.kiln.server.triggers.GitBuilds;
import dev.kiln.server.triggers.Triggers;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.time.Clock;

/**
 * The web dashboard, wired: its pages, live feeds, assets, badge and metrics, and the security
 * headers every response gets. A strict Content-Security-Policy: scripts and styles only from
 * this server's files, no inline script, handler or style attribute, no framing.
 */
public final class Dashboard {
    public static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

    private final WebRoutes pages;
    private final StreamRoutes streams;
    private final StatusRoutes status;
    private final RepoRoutes repoPages;
    private final SignInRoutes signIn;
    private final AuditPage auditPage;
    private final PromotionPages promotionPages;

    /** What the repos pages show and run: the repos, their triggers, the builds a Run starts, and the poller's state. */
    public record Git(Repos repos, Triggers triggers, GitBuilds builds, Poller poller, String publicUrl) {}

    public Dashboard(BuildService builds, BuildStore store, LogStore logs, Scheduler scheduler, SignInRoutes signIn,
                     Clock clock, Git git, BuildEvents events, ServerMetrics serverMetrics,
                     BuildImages images, AuditLog audit, BuildMetrics buildMetrics, BuildArtifacts artifacts,
                     dev.kiln.server.promotion.PromotionFlow promotions) {
        PromotionViews promotionViews = new PromotionViews(promotions.promotions(), git.repos());
        PageViews views = new PageViews(logs, clock, images, buildMetrics, artifacts, promotionViews::banners);
        Metrics metrics = new Metrics(serverMetrics, store, scheduler, events);
        this.pages = new WebRoutes(builds, store, scheduler, views, events, signIn.sessions(), audit);
        this.signIn = signIn;
        this.streams = new StreamRoutes(store, logs, metrics, events, signIn.sessions());
        this.status = new StatusRoutes(store, metrics);
        this.repoPages = new RepoRoutes(git.repos(), git.triggers(), git.builds(),
                new RepoViews(git.repos(), git.triggers(), git.poller(), git.publicUrl()), audit);
        this.auditPage = new AuditPage(audit);
        this.promotionPages = new PromotionPages(promotions, git.repos(), promotionViews,
                new ModelViews(promotions, store, buildMetrics));
    }

    public void register(JavalinConfig config) {
        config.routes.before(Dashboard::headers);
        config.routes.beforeMatched(Dashboard::chrome);
        config.routes.after(ctx -> dev.kiln.webui.Chrome.clear());
        pages.register(config);
        signIn.register(config);
        streams.register(config);
        status.register(config);
        repoPages.register(config);
        auditPage.register(config);
        promotionPages.register(config);
    }

    /** The header's admin links, for who the guard let in (set after it, cleared before every request). */
    private static void chrome(Context ctx) {
        dev.kiln.server.access.Principal who = dev.kiln.server.access.AccessGuard.principal(ctx);
        dev.kiln.webui.Chrome.admin(who != null && who.role() == dev.kiln.server.access.Role.ADMIN);
    }

    private static void headers(Context ctx) {
        dev.kiln.webui.Chrome.clear();
        ctx.header("Content-Security-Policy", CSP);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "same-origin");
    }
}
