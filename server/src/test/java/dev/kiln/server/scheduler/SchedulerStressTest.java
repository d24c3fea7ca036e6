package dev.kiln.server.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.server.store.Build;
import dev.kiln.server.store.StepRun;
import dev.kiln.server.store.Transition;
import dev.kiln.spec.protocol.Lease;
import dev.kiln.spec.protocol.LeaseLostException;
import dev.kiln.spec.protocol.LeaseRequest;
import dev.kiln.spec.protocol.Status;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agents completing builds, a user cancelling, queue TTLs expiring, agents going silent and the
 * reaper ending them or their overdue builds, all at once on a few thousand builds: every build
 * ends exactly once, with a status the move that ended it may set, no step left running, no lease
 * left in memory, and a log that is the agent's lines in order, then at most the server's notice.
 */
class SchedulerStressTest {
    private static final int BUILDS = 2_000;
    private static final Pattern LOG = Pattern.compile("(line \\d+\\n)*(\\n\\[kiln\\] [^\\n]+\\n)?");

    @TempDir java.nio.file.Path tmp;

    @Test
    void every_build_ends_exactly_once_whatever_races_it() throws Exception {
        try (SchedulerFixture f = new SchedulerFixture(tmp)) {
            Map<String, List<Transition>> ends = new ConcurrentHashMap<>();
            f.scheduler.onEnd((id, t) -> ends.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(t));
            List<String> ids = new ArrayList<>();
            ThreadLocalRandom rnd = ThreadLocalRandom.current();
            for (int i = 0; i < BUILDS; i++) {
                ids.add(f.queue(rnd.nextInt(4) == 0 ? 20_000 : 3_600_000, rnd.nextInt(5) == 0 ? (long) rnd.nextInt(1, 60_000) : null).id());
            }
            AtomicBoolean stop = new AtomicBoolean();
            List<Throwable> failures = new CopyOnWriteArrayList<>();
            List<Thread> actors = new ArrayList<>();
            for (int a = 0; a < 3; a++) {
                String agent = "agent-" + a;
                actors.add(actor(failures, () -> {
                    while (!stop.get()) {
                        Optional<Lease> l = f.scheduler.lease(new LeaseRequest(LeaseRequest.PROTOCOL, agent, "h", List.of()),
                                Duration.ZERO);
                        if (l.isPresent()) {
                            runBuild(f, l.get());
                        } else {
                            Thread.onSpinWait();
                        }
                    }
                }));
            }
            actors.add(actor(failures, () -> {      // a user cancelling builds at random
                while (!stop.get()) {
                    f.scheduler.cancel(ids.get(ThreadLocalRandom.current().nextInt(ids.size())));
                }
            }));
            actors.add(actor(failures, () -> {      // time passes, and the reaper looks
                while (!stop.get()) {
                    f.clock.advance(ThreadLocalRandom.current().nextInt(0, 2_000));
                    f.scheduler.reap();
                }
            }));
            actors.forEach(Thread::start);
            long giveUp = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < giveUp
                    && ids.stream().anyMatch(id -> !f.status(id).isFinal())) {
                Thread.sleep(50);   // polling for the end of the run, not waiting for a race
            }
            stop.set(true);
            for (Thread t : actors) {
                t.join(10_000);
            }
            assertThat(failures).isEmpty();

            for (String id : ids) {
                Build b = f.store.get(id).orElseThrow();
                assertThat(b.status().isFinal()).as(id + " ended").isTrue();
                List<Transition> moves = ends.getOrDefault(id, List.of());
                List<Transition> finals = moves.stream().filter(t -> t != Transition.REQUEUE).toList();
                assertThat(finals).as(id + " ended exactly once").hasSize(1);
                assertThat(finals.get(0).to).as(id + " ended by " + finals.get(0)).contains(b.status());
                assertThat(b.leaseId()).isNull();
                for (StepRun s : f.store.steps(id)) {
                    assertThat(s.status().isFinal()).as(id + " step " + s.index()).isTrue();
                }
                assertThat(LOG.matcher(f.log(id)).matches()).as(id + " log:\n" + f.log(id)).isTrue();
                assertLinesInOrder(f.log(id));
            }
            assertThat(f.scheduler.heldLeases()).isZero();
            long reaped = ends.values().stream().flatMap(List::stream).filter(t -> t == Transition.LOST || t == Transition.OVERDUE).count();
            long cancelled = ids.stream().filter(id -> f.status(id) == Status.CANCELLED).count();
            long expired = ids.stream().filter(id -> f.status(id) == Status.EXPIRED).count();
            long succeeded = ids.stream().filter(id -> f.status(id) == Status.SUCCESS).count();
            // Every actor won some races: the run did exercise each of them.
            assertThat(reaped).isPositive();
            assertThat(cancelled).isPositive();
            assertThat(expired).isPositive();
            assertThat(succeeded).isPositive();
        }
    }

    /** What an agent does with a build: start, log, maybe stall (missing heartbeats), report; a lost lease ends it. */
    private static void runBuild(SchedulerFixture f, Lease l) throws Exception {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        String id = l.buildId();
        try {
            if (rnd.nextInt(10) == 0) {
                return;   // took the build and died before calling back
            }
            f.agents.stepStarted(id, l.leaseId(), 0, f.clock.millis());
            long offset = 0;
            int lines = rnd.nextInt(1, 6);
            for (int i = 0; i < lines; i++) {
                byte[] b = ("line " + i + "\n").getBytes(StandardCharsets.UTF_8);
                offset = f.agents.appendLog(id, l.leaseId(), 0, offset, b, 0, b.length);
                if (rnd.nextInt(3) == 0) {
                    f.agents.heartbeat(id, l.leaseId(), Duration.ZERO);
                }
            }
            if (rnd.nextInt(10) == 0) {
                return;   // died mid-build: the reaper must end it
            }
            f.agents.stepFinished(id, l.leaseId(), 0, new dev.kiln.spec.protocol.StepResult(Status.SUCCESS, 0, 1, 2, null));
            f.agents.buildFinished(id, l.leaseId(), Status.SUCCESS, null);
        } catch (LeaseLostException e) {
            // The build ended under the agent (cancel, reaper): expected, and what the agent is told.
        }
    }

    private static void assertLinesInOrder(String log) {
        int expect = 0;
        for (String line : log.split("\n")) {
            if (line.startsWith("line ")) {
                assertThat(line).isEqualTo("line " + expect++);
            }
        }
    }

    private interface Body {
        void run() throws Exception;
    }

    private static Thread actor(List<Throwable> failures, Body body) {
        return new Thread(() -> {
            try {
                body.run();
            } catch (Throwable t) {
                failures.add(t);
            }
        });
    }
}
