package dev.kiln.server.promotion;

import dev.kiln.server.access.AuditLog;
import dev.kiln.server.access.Principal;
import dev.kiln.server.git.Refusal;
import dev.kiln.server.store.Build;
import dev.kiln.server.store.BuildStore;
import dev.kiln.spec.api.DecisionRequest;
import dev.kiln.spec.api.GateView;
import dev.kiln.spec.api.ModelVersionView;
import dev.kiln.spec.api.PromotionView;
import dev.kiln.spec.promotion.Gate;
import dev.kiln.spec.promotion.GateCheck;
import dev.kiln.spec.protocol.Status;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/**
 * The promotion flow: a SUCCESS build of a policy's source branch opens a promotion and checks its
 * gates; approvers decide; the approval that completes the count moves the target branch
 * ({@link TargetMove}), whose build's success adds a production version to the {@link ModelRegistry}.
 * Every change of state is written to the audit log and told to the {@link Notifier}.
 */
public final class Promotions {
    /** Told of each event worth a message (a webhook); must return quickly and not throw. */
    @FunctionalInterface
    public interface Notifier {
        void publish(String event, String repo, Map<String, Object> data);

        Notifier NONE = (event, repo, data) -> {};
    }

    /** The server itself, as the actor of the changes nobody asked for by hand. */
    static final String SERVER = "kiln";

    private final Policies policies;
    private final PromotionStore store;
    private final ModelRegistry registry;
    private final BuildStore builds;
    private final Function<String, Candidate> candidates;
    private final Function<Build, List<Gate>> buildGates;
    private final Function<Build, String> submitter;
    private final TargetMove target;
    private final AuditLog audit;
    private final Clock clock;
    private volatile Notifier notifier = Notifier.NONE;

    Promotions(Policies policies, PromotionStore store, ModelRegistry registry, BuildStore builds,
               Function<String, Candidate> candidates, Function<Build, List<Gate>> buildGates,
               Function<Build, String> submitter, TargetMove target, AuditLog audit, Clock clock) {
        this.policies = policies;
        this.store = store;
        this.registry = registry;
        this.builds = builds;
        this.candidates = candidates;
        this.buildGates = buildGates;
        this.submitter = submitter;
        this.target = target;
        this.audit = audit;
        this.clock = clock;
    }

    public void notifier(Notifier n) {
        this.notifier = n == null ? Notifier.NONE : n;
    }

    /** A build reached {@code status} for good: it may open a promotion, or end one that moved the target branch. */
    void ended(String buildId, Status status) {
        Build b = builds.get(buildId).orElse(null);
        if (b == null || b.repo() == null || b.provenance().commitSha() == null || b.provenance().branch().isEmpty()) {
            return;
        }
        String branch = b.provenance().branch();
        // A promotion on its way ends with its target's build, whatever became of the policy meanwhile.
        Optional<Promotion> moving = store.promoting(b.repo(), branch, b.provenance().commitSha());
        Optional<PromotionPolicy> policy = policies.get(b.repo());
        if (moving.isPresent() || policy.isPresent() && branch.equals(policy.get().to())) {
            targetBuilt(b, status, moving);
        } else if (policy.isPresent() && branch.equals(policy.get().from()) && status == Status.SUCCESS) {
            if (target.head(b.repo(), policy.get().to()).equals(b.provenance().commitSha())) {
                return;   // the target is at this commit already: nothing to promote
            }
            open(b, policy.get());
        }
    }

    /** Opens the promotion of {@code b}'s commit: gates checked, older open promotions superseded. */
    Promotion open(Build b, PromotionPolicy policy) {
        long now = clock.millis();
        String repo = b.repo();
        Candidate c = candidates.apply(b.id());
        Optional<ModelVersionView> production = registry.current(repo);
        List<GateView> gates = new ArrayList<>();
        List<Gate> own = buildGates.apply(b);
        List<GateCheck.Result> results = GateCheck.check(policy.gates(), c.metrics(), production.map(ModelVersionView::metrics));
        results.forEach(r -> gates.add(view(r, "policy")));
        GateCheck.check(own, c.metrics(), production.map(ModelVersionView::metrics)).forEach(r -> gates.add(view(r, "build")));
        boolean pass = gates.stream().noneMatch(g -> g.verdict().equals(GateCheck.Verdict.FAIL.name()));
        String id = UUID.randomUUID().toString();
        String detail = pass ? (production.isEmpty() ? "no production model yet: this is the first promotion; " : "")
                + "awaiting " + policy.approvals() + " approval" + (policy.approvals() > 1 ? "s" : "") + " by "
                + policy.approverRole().label() + "s of " + repo
                : failed(gates);
        Promotion p = new Promotion(id, 0, repo, Promotion.Kind.PROMOTION, policy.from(), policy.to(),
                b.provenance().commitSha(), b.id(), null,
                pass ? Promotion.State.AWAITING_APPROVAL : Promotion.State.GATES_FAILED, detail, gates,
                production.map(ModelVersionView::version).orElse(null), c.metrics(), c.metricsDigest(), c.artifacts(),
                c.artifactsDigest(), policy.approvals(), policy.approverRole(), policy.preventSelfApproval(),
                b.provenance().author(), submitter.apply(b), null, null, now, now, now + policy.expires().toMillis());
        for (Promotion older : store.inState(repo, Promotion.State.AWAITING_APPROVAL)) {
            if (older.kind() == Promotion.Kind.PROMOTION) {
                store.move(older.id(), Promotion.State.AWAITING_APPROVAL, Promotion.State.SUPERSEDED,
                        "superseded by promotion " + id + " of the newer commit " + p.shortCommit(), now)
                        .ifPresent(o -> changed(o, SERVER, "promotion.supersede"));
            }
        }
        store.insert(p);
        audit.record(SERVER, "promotion.open", id, repo + " " + p.shortCommit() + " from build " + b.id() + ": " + p.state(), null);
        if (!pass) {
            tell("promotion.gates_failed", p);
        } else if (policy.requireApproval()) {
            tell("promotion.awaiting_approval", p);   // only when somebody is asked: it is a request to approvers
        }
        if (pass && !policy.requireApproval()) {
            return store.move(id, Promotion.State.AWAITING_APPROVAL, Promotion.State.PROMOTING,
                    "the policy needs no approval; moving " + policy.to(), now).map(q -> move(q, SERVER)).orElse(p);
        }
        return p;
    }

    /**
     * {@code who} approves promotion {@code id}, having been shown what {@code shown} names. The
     * approval that completes the count moves the target branch; a 403 for a user the policy does
     * not let approve, a 409 when what was shown changed or the promotion no longer awaits approval.
     */
    public Promotion approve(String id, Principal who, DecisionRequest shown) {
        Promotion p = awaiting(id, who);
        if (shown == null || shown.commit() == null || shown.metricsDigest() == null || shown.artifactsDigest() == null) {
            throw Refusal.badRequest("an approval names what it approves: commit, metricsDigest and artifactsDigest, as"
                    + " the promotion shows them (kiln promotions approve and the dashboard send them)");
        }
        if (p.preventSelfApproval()) {
            if (who.name().equalsIgnoreCase(String.valueOf(p.submitter()))) {
                throw Refusal.forbidden(who.name() + " submitted build " + p.buildId() + "; the policy of " + p.repo()
                        + " prevents self-approval: another approver must approve");
            }
            if (SelfApproval.authored(who.name(), p.author())) {
                throw Refusal.forbidden(who.name() + " wrote commit " + p.shortCommit() + " (" + p.author() + "); the policy of "
                        + p.repo() + " prevents self-approval: another approver must approve");
            }
        }
        // A rollback's metrics and artifacts are the registry version's, kept with it; a promotion's are
        // its build's, read again now.
        Candidate now = p.kind() == Promotion.Kind.PROMOTION ? candidates.apply(p.buildId())
                : Candidate.of(p.metrics(), p.artifacts());
        List<String> changed = new ArrayList<>();
        if (!shown.commit().equals(p.commitSha())) {
            changed.add("the commit (shown " + shown.commit() + ", promoting " + p.commitSha() + ")");
        }
        if (!shown.metricsDigest().equals(p.metricsDigest()) || !now.metricsDigest().equals(p.metricsDigest())) {
            changed.add("the metrics");
        }
        if (!shown.artifactsDigest().equals(p.artifactsDigest()) || !now.artifactsDigest().equals(p.artifactsDigest())) {
            changed.add("the artifacts");
        }
        if (!changed.isEmpty()) {
            throw Refusal.conflict("not approved: " + String.join(", ", changed) + " changed since you were shown promotion "
                    + id + "; look at it again (kiln promotions describe " + id + ")");
        }
        PromotionStore.Approved a = store.approve(id, who.name(), shown.comment(), clock.millis());
        audit.record(who.name(), "promotion.approve", id, shown.comment() == null || shown.comment().isBlank() ? null
                : PromotionStore.clip(shown.comment()), null);
        return a.quorum() ? move(a.promotion(), who.name()) : a.promotion();
    }

    /** {@code who} rejects promotion {@code id}: it ends REJECTED with their comment. */
    public Promotion reject(String id, Principal who, String comment) {
        awaiting(id, who);
        Promotion p = store.reject(id, who.name(), comment, clock.millis());
        changed(p, who.name(), "promotion.reject");
        return p;
    }

    /**
     * {@code who} asks to bring model version {@code version} of {@code repo} back into production:
     * a promotion of that version's commit, through the same approval. The target branch moves back
     * to that commit, and only from where it stands now.
     */
    public Promotion rollback(String repo, int version, Principal who, String comment) {
        PromotionPolicy policy = policies.get(repo).orElseThrow(() -> Refusal.badRequest("repo " + repo
                + " has no promotion policy; kiln repos set-policy sets one"));
        if (!who.can(policy.approverRole(), repo)) {
            throw Refusal.forbidden("asking for a rollback of " + repo + " needs " + policy.approverRole().label()
                    + " on it; " + who.name() + " is " + who.roleOn(repo).label());
        }
        ModelVersionView v = registry.get(repo, version).orElseThrow(() -> Refusal.notFound(repo + " has no model version "
                + version + "; kiln models history " + repo + " lists them"));
        ModelVersionView current = registry.current(repo).orElseThrow();
        if (v.production()) {
            throw Refusal.conflict("v" + version + " is production already");
        }
        long now = clock.millis();
        Candidate c = Candidate.of(v.metrics(), v.artifacts());
        String id = UUID.randomUUID().toString();
        Promotion p = new Promotion(id, 0, repo, Promotion.Kind.ROLLBACK, policy.from(), policy.to(), v.commit(), v.build(),
                version, Promotion.State.AWAITING_APPROVAL, "rollback to v" + version + " asked by " + who.name()
                + (comment == null || comment.isBlank() ? "" : ": " + comment) + "; its gates were checked when it was promoted",
                v.gates(), current.version(), c.metrics(), c.metricsDigest(), c.artifacts(), c.artifactsDigest(),
                policy.approvals(), policy.approverRole(), policy.preventSelfApproval(), null, who.name(),
                target.head(repo, policy.to()), null, now, now, now + policy.expires().toMillis());
        store.insert(p);
        audit.record(who.name(), "promotion.rollback", id, repo + " to v" + version + comment(comment), null);
        if (policy.requireApproval()) {
            tell("promotion.awaiting_approval", p);
            return p;
        }
        return store.move(id, Promotion.State.AWAITING_APPROVAL, Promotion.State.PROMOTING,
                "the policy needs no approval; moving " + policy.to(), now).map(q -> move(q, who.name())).orElse(p);
    }

    /**
     * After a stop: each promotion left PROMOTING goes on from where it was. Its target not yet moved:
     * moved now (its approvals stand). Moved, and its build ended meanwhile: ended as that build did.
     * Moved with no build to wait for: promoted.
     */
    void resume() {
        for (Promotion p : store.list(null, Promotion.State.PROMOTING, 500)) {
            if (!target.head(p.repo(), p.to()).equals(p.commitSha())) {
                move(p, SERVER);
                continue;
            }
            Optional<Build> b = target.build(p);
            if (b.isEmpty()) {
                promoted(p, null);
            } else if (b.get().status().isFinal()) {
                targetBuilt(b.get(), b.get().status(), Optional.of(p));
            }
        }
    }

    /** Ends every open promotion whose time ran out; returns how many. */
    public int expireDue() {
        int n = 0;
        long now = clock.millis();
        for (Promotion p : store.expiredBy(now)) {
            Optional<Promotion> e = store.move(p.id(), Promotion.State.AWAITING_APPROVAL, Promotion.State.EXPIRED,
                    "nobody decided before " + java.time.Instant.ofEpochMilli(p.expireTime()), now);
            if (e.isPresent()) {
                changed(e.get(), SERVER, "promotion.expire");
                n++;
            }
        }
        return n;
    }

    public Optional<Promotion> get(String id) {
        return store.get(id);
    }

    public List<Promotion> list(String repo, Promotion.State state, int limit) {
        return store.list(repo, state, limit);
    }

    /** The promotions build {@code buildId} measured (as candidate) or released (as production build), newest first. */
    public List<Promotion> forBuild(String buildId) {
        return store.forBuild(buildId);
    }

    /** The model version promotion {@code id} added, if it added one. */
    public Optional<Integer> versionOf(String id) {
        return store.versionOf(id);
    }

    /** Who decided on promotion {@code id}, in order. */
    public List<dev.kiln.spec.api.DecisionView> decisions(String id) {
        return store.decisions(id);
    }

    public PromotionView view(Promotion p) {
        return new PromotionView(p.id(), p.repo(), p.kind().name(), p.from(), p.to(), p.commitSha(), p.buildId(),
                p.rollbackTo(), p.state().name(), p.detail(), p.gates(), p.productionVersion(), p.metrics(),
                p.metricsDigest(), p.artifacts(), p.artifactsDigest(), p.approvalsNeeded(), p.approverRole().label(),
                p.preventSelfApproval(), p.author(), p.submitter(), p.prodBuildId(), store.versionOf(p.id()).orElse(null),
                store.decisions(p.id()), p.createTime(), p.updateTime(), p.expireTime());
    }

    /** Moves the target branch for {@code p} (now PROMOTING); on any refusal the promotion ends FAILED, saying why. */
    private Promotion move(Promotion p, String by) {
        TargetMove.Outcome o;
        try {
            o = target.move(p);
        } catch (Refusal e) {
            return fail(p, e.getMessage(), by);
        }
        audit.record(by, "promotion.move", p.id(), p.to() + " of " + p.repo() + " moved to " + p.shortCommit()
                + (o.buildId() != null ? ", building " + o.buildId() : ""), null);
        store.moved(p.id(), o.oldSha(), o.buildId(), o.buildId() != null ? p.to() + " moved to " + p.shortCommit()
                + "; production build " + o.buildId() + " runs" : p.to() + " moved", clock.millis());
        if (o.buildId() == null) {
            // Nothing builds the target branch: the move itself is the release.
            return promoted(p, null);
        }
        // Its build's end reaches ended() on the flow's thread, however soon it comes: the promotion is PROMOTING already.
        return store.get(p.id()).orElse(p);
    }

    /** A build of a target branch ended: the promotion that moved it there is PROMOTED, or FAILED with it. */
    private void targetBuilt(Build b, Status status, Optional<Promotion> p) {
        if (status == Status.SUCCESS) {
            p.ifPresent(x -> promoted(x, b.id()));
            return;
        }
        Map<String, Object> data = Map.of("build", b.id(), "status", status.name(), "commit", b.provenance().commitSha(),
                "branch", b.provenance().branch());
        notifier.publish("production.build_failed", b.repo(), data);
        p.ifPresent(x -> fail(x, "production build " + b.id() + " ended " + status + "; " + x.to() + " points at "
                + x.shortCommit() + " but the registry keeps its production version: fix and promote again, or roll back", SERVER));
    }

    private Promotion promoted(Promotion p, String prodBuildId) {
        List<String> images = prodBuildId == null ? List.of() : target.images(prodBuildId);
        Optional<Integer> v = store.promoted(p.id(), prodBuildId, images, clock.millis());
        Promotion now = store.get(p.id()).orElse(p);
        if (v.isPresent()) {
            // A production version's builds outlive retention: its artifacts are the baseline of the next
            // candidate, and a rollback brings them back.
            builds.keep(p.buildId(), true);
            if (prodBuildId != null) {
                builds.keep(prodBuildId, true);
            }
            changed(now, SERVER, "promotion.promoted");
        }
        return now;
    }

    private Promotion fail(Promotion p, String reason, String by) {
        Optional<Promotion> f = store.move(p.id(), Promotion.State.PROMOTING, Promotion.State.FAILED, reason, clock.millis());
        f.ifPresent(x -> changed(x, by, "promotion.fail"));
        return f.orElseGet(() -> store.get(p.id()).orElse(p));
    }

    /** The promotion, if {@code who} may decide on it now; expired ones end here. */
    private Promotion awaiting(String id, Principal who) {
        Promotion p = store.get(id).orElseThrow(() -> Refusal.notFound("no promotion " + id));
        if (!who.can(p.approverRole(), p.repo())) {
            throw Refusal.forbidden("deciding on promotions of " + p.repo() + " needs " + p.approverRole().label()
                    + " on it; " + who.name() + " is " + who.roleOn(p.repo()).label());
        }
        if (p.state() == Promotion.State.AWAITING_APPROVAL && clock.millis() >= p.expireTime()) {
            expireDue();
            p = store.get(id).orElseThrow();
        }
        if (p.state() != Promotion.State.AWAITING_APPROVAL) {
            throw Refusal.conflict("promotion " + id + " is " + p.state() + ", not awaiting approval"
                    + (p.detail() != null ? ": " + p.detail() : ""));
        }
        return p;
    }

    private void changed(Promotion p, String by, String action) {
        audit.record(by, action, p.id(), p.repo() + " " + p.shortCommit() + ": " + p.state()
                + (p.detail() != null ? " (" + p.detail() + ")" : ""), null);
        tell("promotion." + p.state().name().toLowerCase(Locale.ROOT), p);
    }

    private void tell(String event, Promotion p) {
        Map<String, Object> data = new java.util.LinkedHashMap<>();
        data.put("promotion", p.id());
        data.put("kind", p.kind().name());
        data.put("state", p.state().name());
        data.put("commit", p.commitSha());
        data.put("build", p.buildId());
        data.put("from", p.from());
        data.put("to", p.to());
        data.put("detail", p.detail() == null ? "" : p.detail());
        data.put("gates", p.gates());
        notifier.publish(event, p.repo(), data);
    }

    private static GateView view(GateCheck.Result r, String source) {
        return new GateView(r.gate(), r.kind().name(), r.value(), r.threshold(), r.productionValue(), r.verdict().name(),
                r.reason(), source);
    }

    private static String failed(List<GateView> gates) {
        List<String> why = gates.stream().filter(g -> g.verdict().equals(GateCheck.Verdict.FAIL.name()))
                .map(g -> "'" + g.gate() + "': " + g.reason()).toList();
        return "gate" + (why.size() > 1 ? "s" : "") + " failed: " + String.join("; ", why);
    }

    private static String comment(String c) {
        return c == null || c.isBlank() ? "" : ": " + PromotionStore.clip(c);
    }
}
