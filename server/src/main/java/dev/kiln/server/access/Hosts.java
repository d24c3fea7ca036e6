package dev.kiln.server.access;

import java.net.URI;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The names this server answers to. A browser sends the name it resolved in {@code Host}, so a
 * page whose own name was rebound to 127.0.0.1 (DNS rebinding) arrives with that foreign name and
 * is refused. An address literal cannot be rebound, so any address is accepted as it is.
 */
public final class Hosts {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private final Set<String> names = new HashSet<>(Set.of("localhost", "127.0.0.1", "[::1]"));

    /** {@code bindHost}: the --host value; {@code publicUrl}: the --public-url, or null. */
    public Hosts(String bindHost, String publicUrl) {
        if (bindHost != null && !bindHost.isBlank()) {
            names.add(bracket(bindHost.toLowerCase(Locale.ROOT)));
        }
        if (publicUrl != null && !publicUrl.isBlank()) {
            String h = URI.create(publicUrl).getHost();
            if (h != null) {
                names.add(h.toLowerCase(Locale.ROOT));
            }
        }
    }

    /** Whether a {@code Host} header (name and optional port) names this server. */
    public boolean allows(String hostHeader) {
        if (hostHeader == null || hostHeader.isBlank()) {
            return false;
        }
        String name = nameOf(hostHeader.strip().toLowerCase(Locale.ROOT));
        return names.contains(name) || IPV4.matcher(name).matches() || (name.startsWith("[") && name.endsWith("]"));
    }

    /** {@code host[:port]} without the port; IPv6 stays in brackets. */
    static String nameOf(String hostPort) {
        if (hostPort.startsWith("[")) {
            int end = hostPort.indexOf(']');
            return end < 0 ? hostPort : hostPort.substring(0, end + 1);
        }
        int colon = hostPort.lastIndexOf(':');
        return colon < 0 ? hostPort : hostPort.substring(0, colon);
    }

    private static String bracket(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    public Set<String> names() {
        return Set.copyOf(names);
    }
}
