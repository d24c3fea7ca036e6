package dev.kiln.server.git;

import dev.kiln.server.access.Hosts;
import dev.kiln.server.metrics.ServerMetrics;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The guard of git over HTTP ({@code /git/*}), which Javalin's own access check never sees: the
 * same {@code Host} rule as the API (421; defeats DNS rebinding), no request a browser page made
 * (git never sends {@code Origin}; 403), then the {@link PushPolicy}: credentials (401, with the
 * {@code WWW-Authenticate} that makes git ask for them) and the role on the repo (403, shown by git).
 */
final class GitAccessFilter implements Filter {
    /** The request attribute holding the {@link dev.kiln.server.access.Principal} let in (for the push's audit). */
    static final String PRINCIPAL = "kiln.git.principal";

    private final Hosts hosts;
    private final PushPolicy pushPolicy;
    private final ServerMetrics metrics;

    GitAccessFilter(Hosts hosts, PushPolicy pushPolicy, ServerMetrics metrics) {
        this.hosts = hosts;
        this.pushPolicy = pushPolicy;
        this.metrics = metrics;
    }

    /** The three smart-HTTP endpoints, with the repo's name as a template: the metric's routes stay few. */
    private static final Pattern ENDPOINT = Pattern.compile("/git/[^/]+/(info/refs|git-upload-pack|git-receive-pack)");

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest req = (HttpServletRequest) request;
        HttpServletResponse res = (HttpServletResponse) response;
        long start = System.nanoTime();
        try {
            guarded(req, res, chain);
        } finally {
            Matcher m = ENDPOINT.matcher(req.getRequestURI());
            metrics.request(req.getMethod(), m.matches() ? "/git/{repo}/" + m.group(1) : "unmatched", res.getStatus(),
                    (System.nanoTime() - start) / 1e6f);
        }
    }

    private void guarded(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        ServletRequest request = req;
        ServletResponse response = res;
        String host = req.getHeader("Host");
        if (!hosts.allows(host)) {
            refuse(res, 421, "this server does not answer to the host name '" + host + "'; use one of " + hosts.names()
                    + " or start it with --public-url");
            return;
        }
        if (req.getHeader("Origin") != null || "cross-site".equals(req.getHeader("Sec-Fetch-Site"))) {
            refuse(res, 403, "git over HTTP does not answer requests made by web pages");
            return;
        }
        boolean push = isPush(req);
        PushPolicy.Decision d = pushPolicy.decide(req.getHeader("Authorization"), repoName(req), push);
        if (!d.allowed()) {
            if (d.status() == 401) {
                res.setHeader("WWW-Authenticate", "Basic realm=\"kiln\"");
            }
            refuse(res, d.status(), d.message());
            return;
        }
        req.setAttribute(PRINCIPAL, d.principal());
        chain.doFilter(request, response);
    }

    /** The repo a request names ({@code /git/NAME.git/...}), as the resolver will read it; null when none. */
    static String repoName(HttpServletRequest req) {
        String path = req.getPathInfo();
        if (path == null) {
            return null;
        }
        String first = path.startsWith("/") ? path.substring(1) : path;
        int slash = first.indexOf('/');
        String name = slash < 0 ? first : first.substring(0, slash);
        name = name.endsWith(".git") ? name.substring(0, name.length() - 4) : name;
        return name.isEmpty() ? null : name;
    }

    /** The receive-pack service: its advertisement ({@code info/refs?service=git-receive-pack}) or the push itself. */
    static boolean isPush(HttpServletRequest req) {
        String uri = req.getRequestURI();
        return uri.endsWith("/git-receive-pack") || "git-receive-pack".equals(req.getParameter("service"));
    }

    private static void refuse(HttpServletResponse res, int status, String message) throws IOException {
        res.setStatus(status);
        res.setContentType("text/plain; charset=utf-8");
        res.getOutputStream().write((message + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
