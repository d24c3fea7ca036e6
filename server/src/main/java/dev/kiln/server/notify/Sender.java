package dev.kiln.server.notify;

import dev.kiln.server.hooks.Signatures;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;

/** Posts one delivery's body to its hook, signed, and says what the receiver answered. */
final class Sender {
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    /** What one attempt came to: the receiver's status, or why there was none. */
    record Outcome(Integer status, String error) {
        boolean delivered() {
            return status != null && status >= 200 && status < 300;
        }
    }

    // Never follows a redirect: the hook's URL is what an admin configured, and a redirect would send the
    // signed body somewhere else (or turn the POST into a GET).
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER).build();

    /** Throws InterruptedException when the server stops meanwhile: then nothing is recorded and the attempt is made after a restart. */
    Outcome send(String url, long delivery, String event, String body, String secret) throws InterruptedException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        HttpRequest req;
        try {
            req = HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT)
                    .header("Content-Type", "application/json")
                    .header("User-Agent", "Kiln-Notifications")
                    .header("X-Kiln-Event", event)
                    .header("X-Kiln-Delivery", Long.toString(delivery))
                    .header("X-Kiln-Signature", "sha256=" + sign(secret, bytes))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build();
        } catch (IllegalArgumentException e) {
            return new Outcome(null, "cannot post to this URL: " + e.getMessage());
        }
        try {
            int status = http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
            return new Outcome(status, status >= 300 && status < 400 ? "redirects are not followed" : null);
        } catch (HttpTimeoutException e) {
            return new Outcome(null, "no answer within " + TIMEOUT.toSeconds() + " s");
        } catch (IOException e) {
            String why = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
            return new Outcome(null, e instanceof java.net.ConnectException ? "cannot connect: " + why : why);
        }
    }

    /** Hex HMAC-SHA256 of {@code body} with the hook's secret (its text's UTF-8 bytes) as key. */
    static String sign(String secret, byte[] body) {
        return HexFormat.of().formatHex(Signatures.hmac(secret.getBytes(StandardCharsets.UTF_8), body));
    }
}
