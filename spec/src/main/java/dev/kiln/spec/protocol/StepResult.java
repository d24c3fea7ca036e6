package dev.kiln.spec.protocol;

/** How a step ended: its status, the process exit code (null if it never exited), and a note for people. */
public record StepResult(Status status, Integer exitCode, long startMillis, long finishMillis, String detail) {}
