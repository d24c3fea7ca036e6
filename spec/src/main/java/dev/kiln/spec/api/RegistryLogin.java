package dev.kiln.spec.api;

/** The body of {@code POST /api/registries}: a login the server keeps and hands to builds that push there. */
public record RegistryLogin(String host, String username, String password) {
    @Override
    public String toString() {
        return "RegistryLogin[host=" + host + ", username=" + username + ", password=***]";
    }
}
