package dev.kiln.server.promotion;

import dev.kiln.server.access.Role;
import dev.kiln.server.git.Refusal;
import dev.kiln.spec.api.PolicyRequest;
import dev.kiln.spec.api.PolicyView;
import dev.kiln.spec.promotion.Gate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jgit.lib.Repository;

/**
 * How green builds of a repo's {@code from} branch reach its {@code to} branch: the gates every
 * candidate must pass, whether and by how many people of which role it must be approved, whether
 * the commit's author and the build's submitter are barred from approving it, and how long an
 * unanswered promotion stays open.
 */
public record PromotionPolicy(String repo, String from, String to, boolean requireApproval, int approvals,
                              Role approverRole, boolean preventSelfApproval, Duration expires, List<Gate> gates,
                              long updateTime, String updatedBy) {

    public static final Duration DEFAULT_EXPIRY = Duration.ofDays(30);
    static final int MAX_GATES = 50;

    /** The policy {@code request} asks for, or a 400 saying what is wrong with it. */
    public static PromotionPolicy of(String repo, PolicyRequest request, long now, String by) {
        if (request == null) {
            throw Refusal.badRequest("the body must be a policy: {from, to, requireApproval, approvals, approverRole,"
                    + " preventSelfApproval, expires, gates}");
        }
        String from = branch("from", request.from() == null ? "dev" : request.from());
        String to = branch("to", request.to() == null ? "prod" : request.to());
        if (from.equals(to)) {
            throw Refusal.badRequest("from and to are both '" + from + "': a promotion moves one branch to another");
        }
        int approvals = request.approvals() == null ? 1 : request.approvals();
        if (approvals < 1 || approvals > 10) {
            throw Refusal.badRequest("approvals must be 1 to 10, not " + approvals);
        }
        Role role = Role.APPROVER;
        if (request.approverRole() != null) {
            try {
                role = Role.parse(request.approverRole());
            } catch (IllegalArgumentException e) {
                throw Refusal.badRequest("approverRole: " + e.getMessage());
            }
            if (!role.atLeast(Role.APPROVER)) {
                throw Refusal.badRequest("approverRole must be approver or admin: a " + role.label()
                        + " may not approve a change to production");
            }
        }
        Duration expires = request.expires() == null ? DEFAULT_EXPIRY : expiry(request.expires());
        List<String> texts = request.gates() == null ? List.of() : request.gates();
        if (texts.size() > MAX_GATES) {
            throw Refusal.badRequest("a policy may have at most " + MAX_GATES + " gates");
        }
        List<Gate> gates = new ArrayList<>();
        for (String t : texts) {
            try {
                gates.add(Gate.parse(t));
            } catch (IllegalArgumentException e) {
                throw Refusal.badRequest(e.getMessage());
            }
        }
        return new PromotionPolicy(repo, from, to, request.requireApproval() == null || request.requireApproval(),
                approvals, role, Boolean.TRUE.equals(request.preventSelfApproval()), expires, List.copyOf(gates), now, by);
    }

    public PolicyView view() {
        return new PolicyView(repo, from, to, requireApproval, approvals, approverRole.label(), preventSelfApproval,
                written(expires), gates.stream().map(Gate::text).toList(), updateTime, updatedBy);
    }

    /** {@code 90m}, {@code 12h}, {@code 7d}, {@code 2w}: from an hour to a year. */
    static Duration expiry(String text) {
        Duration d = dev.kiln.spec.config.Durations.lifetime(text).orElse(Duration.ZERO);
        if (d.compareTo(Duration.ofHours(1)) >= 0 && d.compareTo(Duration.ofDays(366)) <= 0) {
            return d;
        }
        throw Refusal.badRequest("expires must be a time such as 12h, 7d or 2w, from 1h to 366d; got '"
                + (text.length() > 30 ? text.substring(0, 30) + "..." : text) + "'");
    }

    /** A duration as {@link #expiry} reads it. */
    static String written(Duration d) {
        long m = d.toMinutes();
        if (m % (60 * 24) == 0) {
            return m / (60 * 24) + "d";
        }
        return m % 60 == 0 ? m / 60 + "h" : m + "m";
    }

    private static String branch(String field, String raw) {
        String b = raw.strip();
        if (b.startsWith("refs/heads/")) {
            b = b.substring("refs/heads/".length());
        }
        if (b.isEmpty() || b.length() > 250 || !Repository.isValidRefName("refs/heads/" + b)) {
            throw Refusal.badRequest(field + ": '" + (raw.length() > 60 ? raw.substring(0, 60) + "..." : raw)
                    + "' is not a branch name");
        }
        return b;
    }
}
