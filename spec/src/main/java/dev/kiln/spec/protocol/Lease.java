package dev.kiln.spec.protocol;

import dev.kiln.spec.plan.BuildPlan;
import java.util.List;
import java.util.Map;

/**
 * A whole build leased to one agent. The agent keeps it by heartbeat at least every
 * {@code heartbeatMillis}; a lease not renewed within {@code leaseMillis} is lost.
 * {@code registries}: logins for the registries this build pushes to, and no others.
 * {@code secrets}: the values of the secrets this build's plan names, by the variable steps list in
 * {@code secretEnv}; only in the lease (never in the stored plan), kept in the agent's memory only.
 */
public record Lease(String buildId, String leaseId, BuildPlan plan, String sourceDigest, long leaseMillis,
                    long heartbeatMillis, List<RegistryCredential> registries, Map<String, String> secrets) {

    public Lease {
        registries = registries == null ? List.of() : List.copyOf(registries);
        secrets = secrets == null ? Map.of() : Map.copyOf(secrets);
    }

    /** A lease that carries no registry logins. */
    public Lease(String buildId, String leaseId, BuildPlan plan, String sourceDigest, long leaseMillis, long heartbeatMillis) {
        this(buildId, leaseId, plan, sourceDigest, leaseMillis, heartbeatMillis, List.of(), Map.of());
    }

    /** A lease that carries no secrets. */
    public Lease(String buildId, String leaseId, BuildPlan plan, String sourceDigest, long leaseMillis, long heartbeatMillis,
                 List<RegistryCredential> registries) {
        this(buildId, leaseId, plan, sourceDigest, leaseMillis, heartbeatMillis, registries, Map.of());
    }

    public Lease withRegistries(List<RegistryCredential> logins) {
        return new Lease(buildId, leaseId, plan, sourceDigest, leaseMillis, heartbeatMillis, logins, secrets);
    }

    public Lease withSecrets(Map<String, String> values) {
        return new Lease(buildId, leaseId, plan, sourceDigest, leaseMillis, heartbeatMillis, registries, values);
    }

    /** Every value a step's log must not show: registry passwords and secrets. */
    public List<String> maskedValues() {
        List<String> out = new java.util.ArrayList<>(secrets.values());
        registries.forEach(r -> out.add(r.password()));
        return out;
    }

    /** Never a password or a secret: records print every field, and leases end up in log lines. */
    @Override
    public String toString() {
        return "Lease[buildId=" + buildId + ", leaseId=" + leaseId + ", sourceDigest=" + sourceDigest + ", registries="
                + registries + ", secrets=" + secrets.keySet() + "]";
    }
}
