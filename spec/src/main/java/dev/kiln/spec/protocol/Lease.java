package dev.kiln.spec.protocol;

import dev.kiln.spec.plan.BuildPlan;

/**
 * A whole build leased to one agent. The agent keeps it by heartbeat at least every
 * {@code heartbeatMillis}; a lease not renewed within {@code leaseMillis} is lost.
 */
public record Lease(String buildId, String leaseId, BuildPlan plan, String sourceDigest, long leaseMillis,
                    long heartbeatMillis) {}
