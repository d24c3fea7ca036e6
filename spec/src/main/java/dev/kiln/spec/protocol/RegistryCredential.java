package dev.kiln.spec.protocol;

/**
 * A login the server hands an agent with a lease, for one registry {@code host} (as in an image
 * name: {@code 127.0.0.1:5000}, {@code ghcr.io}; {@code docker.io} for names without a host).
 * Only for the registries that build pushes to; the agent keeps it in memory, never logs it, and
 * masks the password in step logs.
 */
public record RegistryCredential(String host, String username, String password) {

    /** Never the password: records print every field, and leases end up in log lines. */
    @Override
    public String toString() {
        return "RegistryCredential[host=" + host + ", username=" + username + ", password=***]";
    }
}
