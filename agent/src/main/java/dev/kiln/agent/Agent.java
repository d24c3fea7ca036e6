package dev.kiln.agent;

import dev.kiln.agent.run.BuildRunner;
import dev.kiln.spec.protocol.AgentApi;
import dev.kiln.spec.protocol.AgentRefusedException;
import dev.kiln.spec.protocol.Lease;
import dev.kiln.spec.protocol.LeaseRequest;
import dev.kiln.spec.protocol.Status;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pulls builds from the server one at a time and runs them. The lease request is a long poll, so
 * an idle agent starts new work as soon as it is queued.
 */
public final class Agent implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(Agent.class);
    private static final Duration LONG_POLL = Duration.ofSeconds(25);

    private final AgentApi api;
    private final BuildRunner runner;
    private final LeaseRequest identity;
    private volatile boolean stopping;
    private volatile Thread thread;
    private volatile AgentRefusedException refused;

    public Agent(AgentApi api, BuildRunner runner, String name, List<String> labels) {
        this.api = api;
        this.runner = runner;
        this.identity = new LeaseRequest(LeaseRequest.PROTOCOL, name + "-" + UUID.randomUUID().toString().substring(0, 8),
                hostname(), List.copyOf(labels));
    }

    public String id() {
        return identity.agentId();
    }

    /**
     * Pulls and runs builds until {@link #stop()}, retrying while the server cannot be reached. A
     * server that refuses the agent's token ends the loop: see {@link #refused()}.
     */
    @Override
    public void run() {
        thread = Thread.currentThread();
        int failures = 0;
        while (!stopping) {
            try {
                Optional<Lease> lease = api.lease(identity, LONG_POLL);
                failures = 0;
                if (lease.isPresent()) {
                    run(lease.get());
                }
            } catch (InterruptedException e) {
                break;
            } catch (AgentRefusedException e) {
                refused = e;
                break;
            } catch (IOException | RuntimeException e) {
                failures++;
                if (failures == 1 || failures % 30 == 0) {
                    log.warn("agent {}: cannot get work from the server: {}; retrying", identity.agentId(),
                            e.getMessage() != null ? e.getMessage() : e.toString());
                }
                try {
                    Thread.sleep(Math.min(2_000, 100L * failures));
                } catch (InterruptedException ie) {
                    break;
                }
            }
        }
    }

    /** Runs one build; a defect of this agent ends that build with the reason, and the agent goes on. */
    private void run(Lease l) throws InterruptedException {
        log.info("agent {}: running build {}", identity.agentId(), l.buildId());
        try {
            var status = runner.run(l);
            log.info("agent {}: build {} ended {}", identity.agentId(), l.buildId(), status);
        } catch (RuntimeException e) {
            log.error("agent {}: build {} failed inside the agent", identity.agentId(), l.buildId(), e);
            try {
                api.buildFinished(l.buildId(), l.leaseId(), Status.INTERNAL_ERROR, "the agent failed: " + e);
            } catch (IOException | RuntimeException reportFailed) {
                log.warn("agent {}: could not report build {}: {}", identity.agentId(), l.buildId(), reportFailed.toString());
            }
        }
    }

    /** Why {@link #run()} ended on its own: the server refused the token; empty if it was stopped. */
    public Optional<AgentRefusedException> refused() {
        return Optional.ofNullable(refused);
    }

    public void stop() {
        stopping = true;
        try {
            api.goodbye(identity.agentId());
        } catch (IOException | InterruptedException | RuntimeException e) {
            // The server may be gone too; its poll then ends with the connection.
        }
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }

    private static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
