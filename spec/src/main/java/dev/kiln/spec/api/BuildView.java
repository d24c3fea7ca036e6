package dev.kiln.spec.api;

import dev.kiln.spec.protocol.Status;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** A build as the REST API shows it. Times are null until reached. {@code kept}: retention never removes it. */
public record BuildView(String id, Status status, String statusDetail, String configPath, Map<String, String> substitutions,
                        List<String> tags, String retryOf, Instant createTime, Instant startTime, Instant finishTime,
                        List<StepView> steps, String logUrl, boolean kept) {}
