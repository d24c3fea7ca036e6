package dev.kiln.server.hooks;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Set;

/**
 * Reads a webhook body (already verified) as one forge's event. Nesting is limited to
 * {@link #MAX_DEPTH} (the parser stops at the first level past it, so a deeply nested body costs no
 * more than its bytes, which the route has already capped). A body that is not the JSON the
 * event needs is {@link Malformed}.
 */
final class Payloads {
    /** Forge payloads nest a few levels; 64 is plenty and far below what could exhaust a stack. */
    static final int MAX_DEPTH = 64;
    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build()).build());
    /** GitHub's roles that may run builds without a comment: the repo's owner, its organisation's members, collaborators. */
    private static final Set<String> GITHUB_TRUSTED = Set.of("OWNER", "MEMBER", "COLLABORATOR");

    /** A body that is not the JSON its event needs; the message says what is wrong, without echoing the body. */
    static final class Malformed extends Exception {
        Malformed(String message) {
            super(message);
        }
    }

    private Payloads() {}

    static HookEvent parse(HookDialect dialect, String event, byte[] body) throws Malformed {
        JsonNode root;
        try {
            root = MAPPER.readTree(body);
        } catch (IOException e) {
            String m = e.getMessage() == null ? "" : e.getMessage();
            throw new Malformed(m.contains("nesting depth") ? "the body nests deeper than " + MAX_DEPTH + " levels"
                    : "the body is not JSON");
        }
        if (root == null || !root.isObject()) {
            throw new Malformed("the body is not a JSON object");
        }
        return switch (dialect) {
            case GITHUB -> github(event, root);
            case GITLAB -> gitlab(event, root);
            case GITEA -> gitea(event, root);
            case GENERIC -> new HookEvent.Push(ref(text(root, "ref", true)), sha(root.path("after").asText(root.path("sha").asText(null))));
        };
    }

    private static HookEvent github(String event, JsonNode root) throws Malformed {
        switch (event) {
            case "ping":
                return new HookEvent.Ping();
            case "push":
                return new HookEvent.Push(ref(text(root, "ref", true)), sha(root.path("after").asText(null)));
            case "pull_request": {
                String action = root.path("action").asText("");
                if (!Set.of("opened", "synchronize", "reopened").contains(action)) {
                    return new HookEvent.Ignored("pull_request " + action + " builds nothing");
                }
                JsonNode pr = object(root, "pull_request");
                return new HookEvent.PullRequest(number(root.path("number")), text(pr.path("base"), "ref", true),
                        text(pr.path("head"), "ref", true), pr.path("head").path("repo").path("clone_url").asText(""),
                        sha(pr.path("head").path("sha").asText(null)), pr.path("user").path("login").asText(""),
                        GITHUB_TRUSTED.contains(pr.path("author_association").asText("")));
            }
            case "issue_comment": {
                JsonNode issue = object(root, "issue");
                if (!"created".equals(root.path("action").asText("")) || issue.path("pull_request").isMissingNode()) {
                    return new HookEvent.Ignored("only a new comment on a pull request can start builds");
                }
                JsonNode c = object(root, "comment");
                return new HookEvent.Comment(number(issue.path("number")), c.path("body").asText(""),
                        c.path("user").path("login").asText(""), GITHUB_TRUSTED.contains(c.path("author_association").asText("")));
            }
            default:
                return new HookEvent.Ignored("GitHub event '" + event + "' builds nothing");
        }
    }

    /**
     * GitLab's payloads carry no role. A merge request from a branch of the project itself (not a
     * fork) needs push rights there, so its author counts as a collaborator; a comment's author is
     * never taken for one (a Note Hook does not say who may push).
     */
    private static HookEvent gitlab(String event, JsonNode root) throws Malformed {
        switch (event) {
            case "Push Hook":
            case "Tag Push Hook":
                return new HookEvent.Push(ref(text(root, "ref", true)), sha(root.path("after").asText(null)));
            case "Merge Request Hook": {
                JsonNode a = object(root, "object_attributes");
                String action = a.path("action").asText("");
                if (!Set.of("open", "update", "reopen").contains(action)) {
                    return new HookEvent.Ignored("merge request " + action + " builds nothing");
                }
                if (action.equals("update") && a.path("oldrev").isMissingNode()) {
                    return new HookEvent.Ignored("a merge request update without new commits builds nothing");
                }
                boolean sameProject = !a.path("source_project_id").isMissingNode()
                        && a.path("source_project_id").asLong() == a.path("target_project_id").asLong();
                return new HookEvent.PullRequest(number(a.path("iid")), text(a, "target_branch", true),
                        text(a, "source_branch", true), a.path("source").path("git_http_url").asText(""),
                        sha(a.path("last_commit").path("id").asText(null)), root.path("user").path("username").asText(""),
                        sameProject);
            }
            case "Note Hook": {
                JsonNode a = object(root, "object_attributes");
                if (!"MergeRequest".equals(a.path("noteable_type").asText(""))) {
                    return new HookEvent.Ignored("only a comment on a merge request can start builds");
                }
                return new HookEvent.Comment(number(object(root, "merge_request").path("iid")), a.path("note").asText(""),
                        root.path("user").path("username").asText(""), false);
            }
            default:
                return new HookEvent.Ignored("GitLab event '" + event + "' builds nothing");
        }
    }

    /** As GitLab: a pull request from the repo itself counts as a collaborator's; a comment's author never does. */
    private static HookEvent gitea(String event, JsonNode root) throws Malformed {
        switch (event) {
            case "push":
                return new HookEvent.Push(ref(text(root, "ref", true)), sha(root.path("after").asText(null)));
            case "pull_request": {
                String action = root.path("action").asText("");
                if (!Set.of("opened", "synchronized", "reopened").contains(action)) {
                    return new HookEvent.Ignored("pull_request " + action + " builds nothing");
                }
                JsonNode pr = object(root, "pull_request");
                JsonNode headRepo = pr.path("head").path("repo");
                boolean sameRepo = !headRepo.path("id").isMissingNode()
                        && headRepo.path("id").asLong() == pr.path("base").path("repo").path("id").asLong();
                return new HookEvent.PullRequest(number(root.path("number")), text(pr.path("base"), "ref", true),
                        text(pr.path("head"), "ref", true), headRepo.path("clone_url").asText(""),
                        sha(pr.path("head").path("sha").asText(null)), pr.path("user").path("login").asText(""), sameRepo);
            }
            case "issue_comment": {
                if (!root.path("is_pull").asBoolean(false) || !"created".equals(root.path("action").asText(""))) {
                    return new HookEvent.Ignored("only a new comment on a pull request can start builds");
                }
                JsonNode c = object(root, "comment");
                return new HookEvent.Comment(number(object(root, "issue").path("number")), c.path("body").asText(""),
                        c.path("user").path("login").asText(""), false);
            }
            default:
                return new HookEvent.Ignored("Gitea event '" + event + "' builds nothing");
        }
    }

    private static JsonNode object(JsonNode parent, String field) throws Malformed {
        JsonNode n = parent.path(field);
        if (!n.isObject()) {
            throw new Malformed("the body has no object '" + field + "'");
        }
        return n;
    }

    private static String text(JsonNode parent, String field, boolean required) throws Malformed {
        JsonNode n = parent.path(field);
        if (!n.isTextual() || n.asText().isBlank()) {
            if (required) {
                throw new Malformed("the body has no text '" + field + "'");
            }
            return null;
        }
        return n.asText();
    }

    private static long number(JsonNode n) throws Malformed {
        if (!n.canConvertToLong() || n.asLong() <= 0) {
            throw new Malformed("the body has no pull request number");
        }
        return n.asLong();
    }

    /** A full ref name: a bare name is a branch. */
    private static String ref(String ref) throws Malformed {
        String r = ref.startsWith("refs/") ? ref : "refs/heads/" + ref;
        if (r.length() > 1000 || r.contains("..") || r.chars().anyMatch(c -> c < 0x20 || c == ' ')) {
            throw new Malformed("the ref is not a git ref name");
        }
        return r;
    }

    /** A 40-hex SHA, or null: it is only shown (and compared with what the remote says), never trusted. */
    private static String sha(String s) {
        return s != null && s.matches("[0-9a-fA-F]{40}") ? s.toLowerCase(java.util.Locale.ROOT) : null;
    }
}
