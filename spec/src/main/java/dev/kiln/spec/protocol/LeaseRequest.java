package dev.kiln.spec.protocol;

import java.util.List;

/** An agent asking for work: who it is, what it can run, and which protocol it speaks. */
public record LeaseRequest(int protocol, String agentId, String hostname, List<String> labels) {
    public static final int PROTOCOL = 1;
}
