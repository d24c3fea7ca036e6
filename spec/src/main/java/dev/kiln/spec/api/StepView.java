package dev.kiln.spec.api;

import dev.kiln.spec.protocol.Status;
import java.time.Instant;

/** One step as the REST API shows it; {@code logSize} is the bytes of its log stored so far. */
public record StepView(int index, String id, Status status, String statusDetail, Integer exitCode, Instant startTime,
                       Instant finishTime, long logSize) {}
