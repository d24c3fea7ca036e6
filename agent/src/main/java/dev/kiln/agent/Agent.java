package dev.kiln.agent;

import dev.kiln.agent.run.BuildRunner;
import dev.kiln.spec.protocol.AgentApi;
import dev.kiln.spec.protocol.AgentRefusedException;
import dev.kiln.spec.protocol.Lease;
import dev.kiln.spec.protocol.LeaseRequest;
import dev.kiln.spec.protocol.Status;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pulls builds from the server and runs up to {@code maxBuilds} of them at once, each on a thread
 * of its own with its own lease and workspace. It asks for work only while a slot is free, so a
 * busy agent never holds a build it cannot start. The lease request is a long poll, so an idle
 * agent starts new work as soon as it is queued.
 */
public final class Agent implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(Agent.class);
    private static final Duration LONG_POLL = Duration.ofSeconds(25);

    private final AgentApi api;
    private final BuildRunner runner;
    private final LeaseRequest identity;
    private final int maxBuilds;
    private final Semaphore slots;
    private final ExecutorService builds;
    private volatile boolean stopping;
    private volatile Thread thread;
    private volatile AgentRefusedException refused;

    public Agent(AgentApi api, BuildRunner runner, String name, List<String> labels) {
        this(api, runner, name, labels, 1);
    }

    public Agent(AgentApi api, BuildRunner runner, String name, List<String> labels, int maxBuilds) {
        this(api, runner, identity(name + "-" + runSuffix(), labels), maxBuilds);
    }

    /**
     * An agent that joined the server as {@code agentId}: this run of it asks for work as
     * {@code agentId/<random>}, so that the server tells a restarted run from a stale poll of the last.
     */
    public static Agent joined(AgentApi api, BuildRunner runner, String agentId, List<String> labels, int maxBuilds) {
        return new Agent(api, runner, identity(agentId + "/" + runSuffix(), labels), maxBuilds);
    }

    private static LeaseRequest identity(String id, List<String> labels) {
        return new LeaseRequest(LeaseRequest.PROTOCOL, id, hostname(), List.copyOf(labels));
    }

    private static String runSuffix() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    private Agent(AgentApi api, BuildRunner runner, LeaseRequest identity, int maxBuilds) {
        if (maxBuilds < 1) {
            throw new IllegalArgumentException("an agent runs at least one build at a time, not " + maxBuilds);
        }
        this.api = api;
        this.runner = runner;
        this.identity = identity;
        this.maxBuilds = maxBuilds;
        this.slots = new Semaphore(maxBuilds);
        AtomicInteger n = new AtomicInteger();
        this.builds = Executors.newFixedThreadPool(maxBuilds, r -> {
            Thread t = new Thread(r, "kiln-build-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * How many builds an agent on this machine runs at once when not told: one per core, but no
     * more than one per 2 GiB of memory (a training step is rarely smaller), and at least one.
     */
    public static int defaultMaxBuilds() {
        long memGiB = physicalMemoryGiB();
        int cores = Runtime.getRuntime().availableProcessors();
        return Math.max(1, memGiB > 0 ? (int) Math.min(cores, memGiB / 2) : cores);
    }

    /** The machine's memory in GiB, 0 if unknown. */
    public static long physicalMemoryGiB() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize() >> 30;
        }
        return 0;
    }

    public int maxBuilds() {
        return maxBuilds;
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
        try {
            while (!stopping) {
                slots.acquire();
                boolean handedOver = false;
                try {
                    Optional<Lease> lease = api.lease(identity, LONG_POLL);
                    failures = 0;
                    if (lease.isPresent()) {
                        Lease l = lease.get();
                        builds.execute(() -> {
                            try {
                                run(l);
                            } finally {
                                slots.release();
                            }
                        });
                        handedOver = true;
                    }
                } catch (AgentRefusedException e) {
                    refused = e;
                    break;
                } catch (IOException | RuntimeException e) {
                    failures++;
                    if (failures == 1 || failures % 30 == 0) {
                        log.warn("agent {}: cannot get work from the server: {}; retrying", identity.agentId(),
                                e.getMessage() != null ? e.getMessage() : e.toString());
                    }
                    Thread.sleep(Math.min(2_000, 100L * failures));
                } finally {
                    if (!handedOver) {
                        slots.release();
                    }
                }
            }
        } catch (InterruptedException e) {
            // stop(): fall through and end the builds still running.
        } finally {
            // Their steps are killed, the server told and what they made on the engine removed, before
            // this returns (the server's close waits on it, then closes the engine's connection): so
            // waited for through the stop's interrupt, which may land here (its goodbye can end the
            // poll first).
            boolean interrupted = Thread.interrupted();
            builds.shutdownNow();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (true) {
                try {
                    builds.awaitTermination(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS);
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Runs one build; a defect of this agent ends that build with the reason, and the agent goes on. */
    private void run(Lease l) {
        log.info("agent {}: running build {}", identity.agentId(), l.buildId());
        try {
            var status = runner.run(l);
            log.info("agent {}: build {} ended {}", identity.agentId(), l.buildId(), status);
        } catch (InterruptedException e) {
            log.info("agent {}: build {} stopped with the agent", identity.agentId(), l.buildId());
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
