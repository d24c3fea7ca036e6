package dev.kiln.agent.docker;

/** What the Docker engine's failures say, told apart: an engine gone, or its own message. */
final class EngineErrors {
    private EngineErrors() {}

    static boolean isConnectionFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.SocketException || t instanceof java.io.UncheckedIOException
                    || t instanceof java.net.ConnectException || t instanceof java.nio.channels.ClosedChannelException
                    || t instanceof org.apache.hc.core5.http.ConnectionClosedException) {
                return true;
            }
        }
        return false;
    }

    /** The most telling message of {@code e}: the engine's own, or the deepest cause's. */
    static String message(Throwable e) {
        String m = null;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                m = t.getMessage();
                if (t instanceof com.github.dockerjava.api.exception.DockerException) {
                    break;
                }
            }
        }
        if (m == null) {
            return e.toString();
        }
        // The engine answers in JSON: {"message":"..."}
        int at = m.indexOf("{\"message\":");
        if (at >= 0) {
            try {
                var node = dev.kiln.spec.json.Json.MAPPER.readTree(m.substring(at, m.lastIndexOf('}') + 1));
                if (node.hasNonNull("message")) {
                    return node.get("message").asText().strip();
                }
            } catch (com.fasterxml.jackson.core.JsonProcessingException | RuntimeException notJson) {
                // keep the text as it is
            }
        }
        return m.strip();
    }
}
