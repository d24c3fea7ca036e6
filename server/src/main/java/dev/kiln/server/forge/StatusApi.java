package dev.kiln.server.forge;

import dev.kiln.spec.json.Json;
import dev.kiln.spec.protocol.Status;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The commit status APIs of the forges Kiln posts to, each as its documentation has it:
 * GitHub {@code POST /repos/{owner}/{repo}/statuses/{sha}} (Bearer token, states pending, success,
 * failure, error); GitLab {@code POST /api/v4/projects/{url-encoded path}/statuses/{sha}}
 * ({@code PRIVATE-TOKEN}, states pending, running, success, failed, canceled; {@code name} is the
 * context); Gitea {@code POST /api/v1/repos/{owner}/{repo}/statuses/{sha}} ({@code Authorization:
 * token}, states as GitHub's). Pure: it builds requests, it sends nothing.
 */
public enum StatusApi {
    GITHUB, GITLAB, GITEA;

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    public static StatusApi of(String kind) {
        return valueOf(kind.toUpperCase(Locale.ROOT));
    }

    /** A build's status as this forge names commit states. */
    public String state(Status s) {
        return switch (s) {
            case PENDING, QUEUED -> "pending";
            case WORKING -> this == GITLAB ? "running" : "pending";
            case SUCCESS -> "success";
            case FAILURE -> this == GITLAB ? "failed" : "failure";
            case CANCELLED -> this == GITLAB ? "canceled" : "error";
            case INTERNAL_ERROR, TIMEOUT, EXPIRED, SKIPPED -> this == GITLAB ? "failed" : "error";
        };
    }

    /** The words shown beside the state on the forge (GitHub keeps 140 characters). */
    public static String description(Status s) {
        return switch (s) {
            case PENDING -> "Kiln: waiting for approval";
            case QUEUED -> "Kiln: queued";
            case WORKING -> "Kiln: running";
            case SUCCESS -> "Kiln: build succeeded";
            case FAILURE -> "Kiln: build failed";
            case CANCELLED -> "Kiln: build cancelled";
            case TIMEOUT -> "Kiln: build timed out";
            case EXPIRED -> "Kiln: build expired in the queue";
            case INTERNAL_ERROR, SKIPPED -> "Kiln: build ended by an internal error";
        };
    }

    /** The request that sets {@code sha}'s status {@code context} to {@code s} on {@code project} at {@code apiUrl}. */
    public HttpRequest request(String apiUrl, String project, String sha, Status s, String targetUrl, String context,
                               String token) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("state", state(s));
        body.put("target_url", targetUrl);
        body.put("description", description(s));
        body.put(this == GITLAB ? "name" : "context", context);
        String path = switch (this) {
            case GITHUB -> "/repos/" + project + "/statuses/" + sha;
            case GITLAB -> "/api/v4/projects/" + URLEncoder.encode(project, StandardCharsets.UTF_8) + "/statuses/" + sha;
            case GITEA -> "/api/v1/repos/" + project + "/statuses/" + sha;
        };
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(apiUrl + path)).timeout(TIMEOUT)
                .header("Content-Type", "application/json").header("User-Agent", "kiln")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(body)));
        switch (this) {
            case GITHUB -> b.header("Authorization", "Bearer " + token).header("Accept", "application/vnd.github+json")
                    .header("X-GitHub-Api-Version", "2022-11-28");
            case GITLAB -> b.header("PRIVATE-TOKEN", token).header("Accept", "application/json");
            case GITEA -> b.header("Authorization", "token " + token).header("Accept", "application/json");
        }
        return b.build();
    }
}
