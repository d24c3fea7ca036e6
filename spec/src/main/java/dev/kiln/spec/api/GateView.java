package dev.kiln.spec.api;

/**
 * One gate's outcome on a promotion: the candidate's {@code value}, the {@code threshold} it was
 * held to, the production value that threshold came from, the verdict ({@code PASS}, {@code FAIL},
 * {@code NOT_APPLICABLE}) and why. {@code kind}: {@code ABSOLUTE}, {@code AGAINST_PRODUCTION} (a
 * value recorded when production was promoted) or {@code SAME_BUILD} (two numbers of this build).
 * {@code source}: {@code policy} (the server's) or {@code build} (added by the repo's build.yaml).
 */
public record GateView(String gate, String kind, Double value, Double threshold, Double productionValue,
                       String verdict, String reason, String source) {}
