package dev.kiln.server.git;

import dev.kiln.server.access.AuditLog;
import dev.kiln.server.access.Hosts;
import dev.kiln.server.access.Principal;
import dev.kiln.server.store.Provenance;
import jakarta.servlet.DispatcherType;
import java.io.IOException;
import java.util.ArrayList;
import dev.kiln.server.metrics.ServerMetrics;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jgit.http.server.GitServlet;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.ReceiveCommand;
import org.eclipse.jgit.transport.ReceivePack;
import org.eclipse.jgit.transport.resolver.ServiceNotEnabledException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the repos over git's smart HTTP at {@code /git/NAME.git} (clone and fetch of any repo,
 * push to hosted ones) with JGit's {@link GitServlet}, behind {@link GitAccessFilter} (credentials
 * and roles). Inside a push, each ref of a protected branch is refused ({@link BranchProtection});
 * the others are recorded by the {@link RefListener} before they move and built once they have:
 * that is where a push to a hosted repo becomes builds.
 */
public final class GitHosting {
    private static final Logger log = LoggerFactory.getLogger(GitHosting.class);
    public static final String PATH = "/git/";

    private final Repos repos;
    private final Hosts hosts;
    private final PushPolicy pushPolicy;
    private final BranchProtection protection;
    private final AuditLog audit;
    private final RefListener listener;
    private final ServerMetrics metrics;

    public GitHosting(Repos repos, Hosts hosts, PushPolicy pushPolicy, BranchProtection protection, AuditLog audit,
                      RefListener listener, ServerMetrics metrics) {
        this.repos = repos;
        this.hosts = hosts;
        this.pushPolicy = pushPolicy;
        this.protection = protection;
        this.audit = audit;
        this.listener = listener;
        this.metrics = metrics;
    }

    /** Mounts the servlet and its guard on Javalin's Jetty context. */
    public void install(ServletContextHandler context) {
        GitServlet servlet = new GitServlet();
        servlet.setRepositoryResolver((req, name) -> {
            String repo = name.endsWith(".git") ? name.substring(0, name.length() - 4) : name;
            try {
                Names.repo(repo);
                if (repos.find(repo).isEmpty()) {
                    throw new org.eclipse.jgit.errors.RepositoryNotFoundException(name);
                }
                return repos.open(repo);
            } catch (Refusal e) {
                throw new org.eclipse.jgit.errors.RepositoryNotFoundException(name);
            } catch (IOException e) {
                throw new org.eclipse.jgit.errors.RepositoryNotFoundException(name, e);
            }
        });
        servlet.setReceivePackFactory((req, db) -> receivePack(db, (Principal) req.getAttribute(GitAccessFilter.PRINCIPAL),
                req.getRemoteAddr()));
        context.addServlet(new ServletHolder("git", servlet), PATH + "*");
        context.addFilter(new FilterHolder(new GitAccessFilter(hosts, pushPolicy, metrics)), PATH + "*",
                EnumSet.of(DispatcherType.REQUEST));
    }

    private static RefUpdate move(ReceiveCommand c) {
        return RefUpdate.of(c.getRefName(), c.getOldId(), c.getNewId());
    }

    private ReceivePack receivePack(Repository db, Principal who, String address) throws ServiceNotEnabledException {
        String dir = db.getDirectory().getName();
        String name = dir.substring(0, dir.length() - ".git".length());
        Repo repo = repos.find(name).orElseThrow(ServiceNotEnabledException::new);
        if (repo.kind() != Repo.Kind.HOSTED) {
            // A mirror follows its forge; a push here would be undone by the next fetch.
            throw new ServiceNotEnabledException("repo " + name + " mirrors " + repo.url() + "; push there");
        }
        ReceivePack rp = new ReceivePack(db);
        rp.setAllowNonFastForwards(true);
        rp.setAllowDeletes(true);
        // Git tells the pusher "ok" before the post-receive hook runs: the push is recorded before its
        // refs move, in the pre-receive hook, so that no push a pusher saw accepted goes unbuilt.
        List<ReceiveCommand> recorded = new ArrayList<>();
        AtomicReference<RefListener.Accepted> accepted = new AtomicReference<>();
        rp.setPreReceiveHook((pack, commands) -> {
            refuseProtected(pack, name, commands, who, address);
            List<ReceiveCommand> moving = commands.stream()
                    .filter(c -> c.getResult() == ReceiveCommand.Result.NOT_ATTEMPTED).toList();
            if (moving.isEmpty()) {
                return;
            }
            try {
                accepted.set(listener.accept(name, moving.stream().map(GitHosting::move).toList(), Provenance.Cause.PUSH,
                        who == null ? null : who.name()));
                recorded.addAll(moving);
            } catch (RuntimeException e) {
                log.error("push to {} refused: it could not be recorded", name, e);
                for (ReceiveCommand c : moving) {
                    c.setResult(ReceiveCommand.Result.REJECTED_OTHER_REASON, "kiln cannot record the push now; try again");
                }
            }
        });
        rp.setPostReceiveHook((pack, commands) -> {
            if (accepted.get() == null) {
                return;
            }
            List<RefUpdate> undone = recorded.stream().filter(c -> c.getResult() != ReceiveCommand.Result.OK)
                    .map(GitHosting::move).toList();
            try {
                for (String line : accepted.get().build(undone)) {
                    pack.sendMessage("kiln: " + line);
                }
            } catch (RuntimeException e) {
                // The refs have moved and the push is recorded; it is built at the latest on the next start.
                log.error("push to {} recorded but not yet built", name, e);
                pack.sendMessage("kiln: the push is recorded; its builds start when the server can (see its log)");
            }
        });
        return rp;
    }

    /**
     * Refuses each command of the push that touches a protected branch, leaving the push's other refs
     * to go through: git prints why beside the branch and as a {@code remote:} line.
     */
    private void refuseProtected(ReceivePack pack, String repo, java.util.Collection<ReceiveCommand> commands,
                                 Principal who, String address) {
        for (ReceiveCommand c : commands) {
            if (c.getResult() != ReceiveCommand.Result.NOT_ATTEMPTED || !protection.protects(repo, c.getRefName())) {
                continue;
            }
            String branch = c.getRefName().substring("refs/heads/".length());
            c.setResult(ReceiveCommand.Result.REJECTED_OTHER_REASON, "protected branch: only the server changes it");
            pack.sendMessage("kiln: " + BranchProtection.refusal(repo, branch));
            audit.record(who == null ? "anonymous" : who.name(), "git.push.refused", repo + " " + c.getRefName(),
                    "protected branch; " + c.getType().name().toLowerCase(java.util.Locale.ROOT) + " " + c.getOldId().name()
                            + " -> " + c.getNewId().name(), address);
        }
    }
}
