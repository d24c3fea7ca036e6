package dev.kiln.spec.protocol;

import dev.kiln.spec.plan.BuildPlan;
import java.util.List;

/**
 * A whole build leased to one agent. The agent keeps it by heartbeat at least every
 * {@code heartbeatMillis}; a lease not renewed within {@code leaseMillis} is lost.
 * {@code registries}: logins for the registries this build pushes to, and no others.
 */
public record Lease(String buildId, String leaseId, BuildPlan plan, String sourceDigest, long leaseMillis,
                    long heartbeatMillis, List<RegistryCredential> registries) {

    public Lease {
        registries = registries == null ? List.of() : List.copyOf(registries);
    }

    /** A lease that carries no registry logins. */
    public Lease(String buildId, String leaseId, BuildPlan plan, String sourceDigest, long leaseMillis, long heartbeatMillis) {
        this(buildId, leaseId, plan, sourceDigest, leaseMillis, heartbeatMillis, List.of());
    }

    public Lease withRegistries(List<RegistryCredential> logins) {
        return new Lease(buildId, leaseId, plan, sourceDigest, leaseMillis, heartbeatMillis, logins);
    }
}
