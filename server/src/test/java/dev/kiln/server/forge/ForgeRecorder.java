package dev.kiln.server.forge;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;

/**
 * A stand-in for a forge's API on loopback (no forge runs on this machine): records every request
 * (method, raw path, headers, body) and answers with the status {@code answer} gives for the n-th
 * request (1-based). The tests check each recorded request against the forge's documented API.
 */
final class ForgeRecorder implements AutoCloseable {
    /** One request as received. Header names are lower case. */
    record Request(String method, String rawPath, Map<String, String> headers, String body) {}

    private final HttpServer server;
    final List<Request> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger count = new AtomicInteger();

    ForgeRecorder(IntUnaryOperator answer) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            Map<String, String> headers = new java.util.TreeMap<>();
            ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), String.join(",", v)));
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(new Request(ex.getRequestMethod(), ex.getRequestURI().getRawPath(), headers, body));
            int status = answer.applyAsInt(count.incrementAndGet());
            byte[] out = (status / 100 == 2 ? "{\"id\":1}" : "{\"message\":\"nope\"}").getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(status, out.length);
            ex.getResponseBody().write(out);
            ex.close();
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
