package dev.kiln.agent.http;

import static dev.kiln.spec.protocol.AgentPaths.BUILD_FINISH;
import static dev.kiln.spec.protocol.AgentPaths.HEARTBEAT;
import static dev.kiln.spec.protocol.AgentPaths.LEASE;
import static dev.kiln.spec.protocol.AgentPaths.SOURCE;
import static dev.kiln.spec.protocol.AgentPaths.STEP_FINISH;
import static dev.kiln.spec.protocol.AgentPaths.STEP_LOG;
import static dev.kiln.spec.protocol.AgentPaths.STEP_START;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.kiln.spec.api.ArtifactView;
import dev.kiln.spec.api.BuiltImage;
import dev.kiln.spec.json.Json;
import dev.kiln.spec.metrics.MetricsReport;
import dev.kiln.spec.protocol.AgentApi;
import dev.kiln.spec.protocol.AgentJoin;
import dev.kiln.spec.protocol.AgentJoined;
import dev.kiln.spec.protocol.AgentRefusedException;
import dev.kiln.spec.protocol.AgentPaths;
import dev.kiln.spec.protocol.HeartbeatReply;
import dev.kiln.spec.protocol.Lease;
import dev.kiln.spec.protocol.LeaseLostException;
import dev.kiln.spec.protocol.LeaseRequest;
import dev.kiln.spec.protocol.ProductionListing;
import dev.kiln.spec.protocol.RefusedCallException;
import dev.kiln.spec.protocol.Status;
import dev.kiln.spec.protocol.StepResult;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The agent protocol over HTTP: the twin of the server's in-process implementation. */
public final class HttpAgentApi implements AgentApi {
    private final String base;
    /** What a 401 tells the user when the registration token is refused. */
    public static final String REGISTRATION_REFUSED = "the server refused the agent token: check --token-file (the"
            + " server keeps its registration token in <data-dir>/agent.token; kiln agents registration-token shows it)";

    private final String token;
    private final String refused;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** Calls with {@code token}, an agent's credential (or, for {@link #join}, the registration token). */
    public HttpAgentApi(String serverUrl, String token) {
        this(serverUrl, token, "the server refused the agent's credential");
    }

    /** {@code refused}: what a 401 tells the user about where the credential came from. */
    public HttpAgentApi(String serverUrl, String token, String refused) {
        this.base = serverUrl.replaceAll("/+$", "");
        this.token = token;
        this.refused = refused;
    }

    /**
     * Joins the server with {@code registrationToken}: the agent's id and its own credential, to be
     * kept and used on every later call. A refused token is an {@link AgentRefusedException}.
     */
    public static AgentJoined join(String serverUrl, String registrationToken, String name, String hostname)
            throws IOException, InterruptedException {
        HttpAgentApi api = new HttpAgentApi(serverUrl, registrationToken, REGISTRATION_REFUSED);
        HttpResponse<byte[]> r = api.send(api.post(AgentPaths.REGISTER, json(new AgentJoin(name, hostname)))
                .timeout(Duration.ofSeconds(30)).build());
        return Json.MAPPER.readValue(r.body(), AgentJoined.class);
    }

    @Override
    public Optional<Lease> lease(LeaseRequest request, Duration wait) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = send(post(LEASE + "?wait=" + waitMillis(wait), json(request))
                .timeout(wait.plusSeconds(10)).build());
        if (r.statusCode() == 204) {
            return Optional.empty();
        }
        return Optional.of(Json.MAPPER.readValue(r.body(), Lease.class));
    }

    @Override
    public HeartbeatReply heartbeat(String buildId, String leaseId, Duration wait) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = send(post(withLease(AgentPaths.of(HEARTBEAT, buildId), leaseId) + "&wait=" + waitMillis(wait),
                HttpRequest.BodyPublishers.noBody()).timeout(wait.plusSeconds(10)).build());
        return Json.MAPPER.readValue(r.body(), HeartbeatReply.class);
    }

    @Override
    public InputStream source(String buildId, String leaseId) throws IOException {
        HttpRequest req = request(withLease(AgentPaths.of(SOURCE, buildId), leaseId)).GET().build();
        try {
            HttpResponse<InputStream> r = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
            if (r.statusCode() != 200) {
                byte[] body = r.body().readAllBytes();
                check(r.statusCode(), body);
            }
            return r.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    @Override
    public void stepStarted(String buildId, String leaseId, int step, long startMillis) throws IOException {
        sendQuietly(post(withLease(AgentPaths.of(STEP_START, buildId, step), leaseId) + "&time=" + startMillis,
                HttpRequest.BodyPublishers.noBody()).build());
    }

    @Override
    public long appendLog(String buildId, String leaseId, int step, long offset, byte[] data, int off, int len)
            throws IOException {
        return appendLog(buildId, leaseId, step, offset, data, off, len, -1);
    }

    @Override
    public long appendLog(String buildId, String leaseId, int step, long offset, byte[] data, int off, int len,
            long timeMillis) throws IOException {
        HttpRequest req = post(withLease(AgentPaths.of(STEP_LOG, buildId, step), leaseId) + "&offset=" + offset
                + (timeMillis >= 0 ? "&time=" + timeMillis : ""),
                HttpRequest.BodyPublishers.ofByteArray(data, off, len))
                .header("Content-Type", "application/octet-stream").build();
        HttpResponse<byte[]> r;
        try {
            r = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (r.statusCode() == 409) {
            throw new LogGapException(sizeOf(r.body()));
        }
        check(r.statusCode(), r.body());
        return sizeOf(r.body());
    }

    @Override
    public void stepFinished(String buildId, String leaseId, int step, StepResult result) throws IOException {
        sendQuietly(post(withLease(AgentPaths.of(STEP_FINISH, buildId, step), leaseId), json(result)).build());
    }

    @Override
    public void buildFinished(String buildId, String leaseId, Status status, String detail) throws IOException {
        sendQuietly(post(withLease(AgentPaths.of(BUILD_FINISH, buildId), leaseId),
                json(Map.of("status", status.name(), "detail", detail == null ? "" : detail))).build());
    }

    @Override
    public void imagesPushed(String buildId, String leaseId, List<BuiltImage> images) throws IOException {
        sendQuietly(post(withLease(AgentPaths.of(AgentPaths.BUILD_IMAGES, buildId), leaseId), json(images)).build());
    }

    @Override
    public void metricsReported(String buildId, String leaseId, int step, MetricsReport report) throws IOException {
        sendQuietly(post(withLease(AgentPaths.of(AgentPaths.STEP_METRICS, buildId, step), leaseId), json(report)).build());
    }

    @Override
    public ArtifactView uploadArtifact(String buildId, String leaseId, Integer step, String path, long size,
            InputStream data) throws IOException {
        // Asked first: a server that refuses a body it has not read may close the connection while the
        // bytes are still going, and the agent would see a broken pipe instead of the reason.
        checkArtifact(buildId, leaseId, step, path, size);
        HttpRequest req = request(artifactTarget(AgentPaths.BUILD_ARTIFACTS, buildId, leaseId, step, path, size))
                .POST(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> data), size))
                .header("Content-Type", "application/octet-stream").build();
        return Json.MAPPER.readValue(artifactCall(req), ArtifactView.class);
    }

    @Override
    public void checkArtifact(String buildId, String leaseId, Integer step, String path, long size) throws IOException {
        artifactCall(post(artifactTarget(AgentPaths.BUILD_ARTIFACT_CHECK, buildId, leaseId, step, path, size),
                HttpRequest.BodyPublishers.noBody()).build());
    }

    private static String artifactTarget(String route, String buildId, String leaseId, Integer step, String path, long size) {
        return withLease(AgentPaths.of(route, buildId), leaseId) + "&path=" + URLEncoder.encode(path, StandardCharsets.UTF_8)
                + "&size=" + size + (step == null ? "" : "&step=" + step);
    }

    /** The body of an artifact call's answer; the server's refusal (400, 413) as a {@link RefusedCallException}. */
    private byte[] artifactCall(HttpRequest req) throws IOException {
        HttpResponse<byte[]> r;
        try {
            r = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (r.statusCode() == 400 || r.statusCode() == 413) {
            throw new RefusedCallException(Json.MAPPER.readTree(r.body()).path("message").asText("refused"));
        }
        check(r.statusCode(), r.body());
        return r.body();
    }

    @Override
    public ProductionListing production(String buildId, String leaseId) throws IOException {
        return Json.MAPPER.readValue(artifactCall(request(withLease(AgentPaths.of(AgentPaths.PRODUCTION, buildId), leaseId))
                .GET().build()), ProductionListing.class);
    }

    @Override
    public InputStream productionFile(String buildId, String leaseId, String productionBuild, String path)
            throws IOException {
        HttpRequest req = request(withLease(AgentPaths.of(AgentPaths.PRODUCTION_FILE, buildId), leaseId)
                + "&build=" + URLEncoder.encode(productionBuild, StandardCharsets.UTF_8)
                + "&path=" + URLEncoder.encode(path, StandardCharsets.UTF_8)).GET().build();
        try {
            HttpResponse<InputStream> r = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
            if (r.statusCode() != 200) {
                byte[] body = r.body().readAllBytes();
                if (r.statusCode() == 400) {
                    throw new RefusedCallException(Json.MAPPER.readTree(body).path("message").asText("refused"));
                }
                check(r.statusCode(), body);
            }
            return r.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    @Override
    public void outputWarnings(String buildId, String leaseId, Integer step, List<String> warnings) throws IOException {
        sendQuietly(post(withLease(AgentPaths.of(AgentPaths.BUILD_WARNINGS, buildId), leaseId)
                + (step == null ? "" : "&step=" + step), json(warnings)).build());
    }

    @Override
    public void goodbye(String agentId) throws IOException, InterruptedException {
        send(post(AgentPaths.GOODBYE + "?agent=" + URLEncoder.encode(agentId, StandardCharsets.UTF_8),
                HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(2)).build());
    }

    private static long sizeOf(byte[] body) throws IOException {
        return Json.MAPPER.readValue(body, new TypeReference<Map<String, Long>>() {}).get("size");
    }

    /** The server holds a call at most {@link AgentPaths#MAX_WAIT_MILLIS} and refuses a longer wait. */
    private static long waitMillis(Duration wait) {
        return Math.max(0, Math.min(AgentPaths.MAX_WAIT_MILLIS, wait.toMillis()));
    }

    private static String withLease(String path, String leaseId) {
        return path + "?lease=" + URLEncoder.encode(leaseId, StandardCharsets.UTF_8);
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + token)
                .header("X-Kiln-Protocol", String.valueOf(LeaseRequest.PROTOCOL));
    }

    private HttpRequest.Builder post(String path, HttpRequest.BodyPublisher body) {
        return request(path).POST(body).header("Content-Type", "application/json");
    }

    private static HttpRequest.BodyPublisher json(Object value) throws IOException {
        return HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(value));
    }

    private void sendQuietly(HttpRequest req) throws IOException {
        try {
            send(req);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private HttpResponse<byte[]> send(HttpRequest req) throws IOException, InterruptedException {
        HttpResponse<byte[]> r;
        try {
            r = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
        } catch (java.net.ConnectException e) {
            // The JDK's ConnectException often has no message at all; say what it means.
            throw new IOException("nothing answers at " + base + " (is the server running, and is that its address?)", e);
        }
        check(r.statusCode(), r.body());
        return r;
    }

    private void check(int status, byte[] body) throws IOException {
        if (status == 401) {
            throw new AgentRefusedException(refused + "; it said: " + new String(body, StandardCharsets.UTF_8));
        }
        if (status == 410) {
            throw new LeaseLostException(new String(body, StandardCharsets.UTF_8));
        }
        if (status >= 300) {
            throw new IOException("server answered " + status + ": " + new String(body, StandardCharsets.UTF_8));
        }
    }
}
