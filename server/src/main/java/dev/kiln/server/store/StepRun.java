package dev.kiln.server.store;

import dev.kiln.spec.protocol.Status;

/** One step of a build as the server keeps it. */
public record StepRun(String buildId, int index, String stepId, Status status, String statusDetail, Integer exitCode,
                      Long startTime, Long finishTime) {}
