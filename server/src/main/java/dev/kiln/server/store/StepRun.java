package dev.kiln.server.store;

import dev.kiln.spec.protocol.Status;

/** One step of a build as the server keeps it. */
public record StepRun(String buildId, int index, String stepId, Status status, String statusDetail, Integer exitCode,
                      Long startTime, Long finishTime) {

    /** This row after {@link BuildStore#stepStarted}, whose guard it follows: only a queued step starts. */
    public StepRun started(long time) {
        return status == Status.QUEUED
                ? new StepRun(buildId, index, stepId, Status.WORKING, statusDetail, exitCode, time, finishTime) : this;
    }

    /** This row after {@link BuildStore#stepFinished}, whose guard it follows: a step already ended keeps its first result. */
    public StepRun finished(Status to, Integer exit, Long start, long finish, String detail) {
        return status == Status.QUEUED || status == Status.WORKING
                ? new StepRun(buildId, index, stepId, to, BuildStore.truncate(detail), exit,
                        startTime != null ? startTime : start, finish)
                : this;
    }
}
