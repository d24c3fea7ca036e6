package dev.kiln.server.promotion;

import dev.kiln.server.artifacts.BuildArtifacts;
import dev.kiln.server.results.BuildMetrics;
import dev.kiln.spec.api.ArtifactDigest;
import dev.kiln.spec.api.MetricView;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a build offers a promotion: its metrics (one value per name, as its page shows them), its
 * artifacts, and a digest of each, so that an approval can name exactly what its approver saw.
 */
record Candidate(Map<String, Double> metrics, String metricsDigest, List<ArtifactDigest> artifacts,
                 String artifactsDigest) {

    static Candidate of(String buildId, BuildMetrics metrics, BuildArtifacts artifacts) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (MetricView v : metrics.of(buildId, i -> String.valueOf(i)).metrics()) {
            m.put(v.name(), v.value());
        }
        List<ArtifactDigest> a = new ArrayList<>();
        for (BuildArtifacts.Stored s : artifacts.list(buildId)) {
            a.add(new ArtifactDigest(s.path(), s.sha256(), s.size()));
        }
        return of(m, a);
    }

    static Candidate of(Map<String, Double> metrics, List<ArtifactDigest> artifacts) {
        StringBuilder ms = new StringBuilder();
        new TreeMap<>(metrics).forEach((k, v) -> ms.append(k).append('=').append(Double.toString(v)).append('\n'));
        StringBuilder as = new StringBuilder();
        artifacts.stream().sorted(java.util.Comparator.comparing(ArtifactDigest::path))
                .forEach(x -> as.append(x.path()).append(' ').append(x.sha256()).append(' ').append(x.size()).append('\n'));
        return new Candidate(java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metrics)), sha256(ms.toString()), List.copyOf(artifacts), sha256(as.toString()));
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
