package dev.kiln.agent.docker.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.exception.DockerException;
import dev.kiln.spec.json.Json;

/** The engine's own words from a docker-java exception, whose message is "Status 500: {"message":...}". */
public final class EngineMessages {
    private EngineMessages() {}

    public static String of(DockerException e) {
        String m = e.getMessage() == null ? "" : e.getMessage();
        int brace = m.indexOf('{');
        if (brace >= 0) {
            try {
                JsonNode n = Json.MAPPER.readTree(m.substring(brace));
                if (n.hasNonNull("message")) {
                    return n.get("message").asText().strip();
                }
            } catch (Exception notJson) {
                // fall through to the raw text
            }
        }
        return m.strip();
    }
}
