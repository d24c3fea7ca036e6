package dev.kiln.agent.docker;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The labels on every container, network and volume an agent makes, so that it can find what a
 * build (or a crashed predecessor) left. {@code kiln.agent} is the agent's stable key: the same for an
 * agent restarted on the same work directory, different for every other agent on the engine.
 */
public final class ContainerLabels {
    public static final String AGENT = "kiln.agent";
    public static final String BUILD = "kiln.build";
    public static final String STEP = "kiln.step";

    private ContainerLabels() {}

    /**
     * The key of the agent whose builds run under {@code workdir} on this host: it outlives the
     * process (the agent's id does not), and the work directory is held by one agent at a time.
     */
    public static String agentKey(String hostname, Path workdir) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest((hostname + "\n" + workdir.toAbsolutePath().normalize())
                    .getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static Map<String, String> of(String agentKey, String buildId) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(AGENT, agentKey);
        m.put(BUILD, buildId);
        return m;
    }

    static Map<String, String> of(String agentKey, String buildId, String step) {
        Map<String, String> m = of(agentKey, buildId);
        m.put(STEP, step);
        return m;
    }

    /** Label filters, as the engine's list calls take them ({@code key=value}). */
    static List<String> filter(Map<String, String> labels) {
        return labels.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
    }
}
