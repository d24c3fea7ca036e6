package dev.kiln.server.notify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.spec.json.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The bodies a hook receives: Kiln's JSON, or a Slack-compatible message carrying the same fields. */
final class Messages {
    /** How many of the data's values the Slack line shows: a line, not a report. */
    private static final int SHOWN = 6;
    /** What a reader of a promotion's line wants first; the rest of the data follows in its order. */
    private static final List<String> FIRST = List.of("promotion", "from", "to", "commit", "build", "status", "detail");

    private Messages() {}

    /** {@code {"event", "repo", "time", "data", "delivery"}}, in that order. */
    static Map<String, Object> fields(long delivery, String event, String repo, Instant time, JsonNode data) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("event", event);
        m.put("repo", repo);
        m.put("time", time.toString());
        m.put("data", data);
        m.put("delivery", delivery);
        return m;
    }

    static String body(boolean slack, long delivery, String event, String repo, Instant time, JsonNode data) {
        Map<String, Object> fields = fields(delivery, event, repo, time, data);
        if (!slack) {
            return Json.write(fields);
        }
        // Slack (and Mattermost, Rocket.Chat, Discord's /slack endpoint) shows "text" and ignores the rest.
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("text", line(event, repo, data));
        m.put("kiln", fields);
        return Json.write(m);
    }

    /** One readable line: "Kiln: promotion gates failed in churn (promotion=12, from=dev, to=prod, commit=...)". */
    static String line(String event, String repo, JsonNode data) {
        StringBuilder s = new StringBuilder("Kiln: ").append(Events.words(event));
        if (repo != null) {
            s.append(" in ").append(repo);
        }
        List<String> keys = new ArrayList<>();
        FIRST.stream().filter(data::has).forEach(keys::add);
        data.fieldNames().forEachRemaining(k -> {
            if (!keys.contains(k)) {
                keys.add(k);
            }
        });
        List<String> shown = new ArrayList<>();
        for (String k : keys) {
            JsonNode v = data.get(k);
            String text = v.isValueNode() && !v.isNull() ? v.asText().replaceAll("\\s+", " ").strip() : "";
            if (!text.isEmpty() && shown.size() < SHOWN) {
                shown.add(k + "=" + (text.length() > 80 ? text.substring(0, 77) + "..." : text));
            }
        }
        if (!shown.isEmpty()) {
            s.append(" (").append(String.join(", ", shown)).append(')');
        }
        return slackEscape(s.toString());
    }

    /** Slack reads {@code <...>} as links and mentions: a branch or comment must not become one. */
    static String slackEscape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
