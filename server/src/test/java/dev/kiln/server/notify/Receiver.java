package dev.kiln.server.notify;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real HTTP receiver on loopback (the JDK's server): answers each post with the next status the
 * test queued (200 once the queue is empty) and keeps what it was sent.
 */
final class Receiver implements AutoCloseable {
    /** One post as received: the raw body bytes and the headers (names in lower case). */
    record Post(String path, Map<String, String> headers, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        String header(String name) {
            return headers.get(name.toLowerCase(java.util.Locale.ROOT));
        }
    }

    private final HttpServer server;
    private final Deque<Integer> statuses = new ArrayDeque<>();
    private final BlockingQueue<Post> posts = new LinkedBlockingQueue<>();

    Receiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            Map<String, String> headers = new TreeMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), String.join(",", v)));
            int status;
            synchronized (statuses) {
                status = statuses.isEmpty() ? 200 : statuses.poll();
            }
            if (status >= 300 && status < 400) {
                exchange.getResponseHeaders().add("Location", url("/elsewhere"));
            }
            posts.add(new Post(exchange.getRequestURI().getPath(), headers, body));
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
    }

    /** The next posts are answered with {@code next}, in order. */
    Receiver answer(Integer... next) {
        synchronized (statuses) {
            statuses.addAll(java.util.List.of(next));
        }
        return this;
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** The next post received, waiting for it up to 10 s (a background sender's). */
    Post next() throws InterruptedException {
        return next(java.time.Duration.ofSeconds(10));
    }

    /** The next post received, waiting for it up to {@code within} (a build runs first). */
    Post next(java.time.Duration within) throws InterruptedException {
        Post p = posts.poll(within.toMillis(), TimeUnit.MILLISECONDS);
        if (p == null) {
            throw new AssertionError("nothing was posted to the receiver within " + within);
        }
        return p;
    }

    /** Every post received so far, taken. */
    java.util.List<Post> taken() {
        java.util.List<Post> out = new java.util.ArrayList<>();
        posts.drainTo(out);
        return out;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
