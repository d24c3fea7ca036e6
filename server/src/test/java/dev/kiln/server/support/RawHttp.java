package dev.kiln.server.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, so a test can send exactly what a browser or an attacker would:
 * any {@code Host}, {@code Origin} and {@code Content-Type} (Java's HttpClient refuses to set Host).
 */
public final class RawHttp {
    private RawHttp() {}

    public record Response(int status, String body) {}

    public static Response send(int port, String method, String target, Map<String, String> headers, byte[] body)
            throws IOException {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Host", "127.0.0.1:" + port);
        h.putAll(headers);
        h.put("Content-Length", String.valueOf(body.length));
        h.put("Connection", "close");
        StringBuilder head = new StringBuilder(method + " " + target + " HTTP/1.1\r\n");
        h.forEach((k, v) -> {
            if (v != null) {
                head.append(k).append(": ").append(v).append("\r\n");
            }
        });
        head.append("\r\n");
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            int n;
            // Read the status line and headers, then what body arrives (an SSE stream never ends: stop early).
            while ((n = in.read(buf)) > 0) {
                all.write(buf, 0, n);
                String got = new String(all.toByteArray(), StandardCharsets.ISO_8859_1);
                int end = got.indexOf("\r\n\r\n");
                if (end >= 0 && got.substring(0, end).toLowerCase(java.util.Locale.ROOT).contains("text/event-stream")) {
                    break;
                }
            }
            String text = all.toString(StandardCharsets.UTF_8);
            int status = Integer.parseInt(text.substring(9, 12));
            int split = text.indexOf("\r\n\r\n");
            return new Response(status, split < 0 ? "" : text.substring(split + 4));
        }
    }
}
