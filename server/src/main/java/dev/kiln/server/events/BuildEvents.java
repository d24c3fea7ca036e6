package dev.kiln.server.events;

import dev.kiln.server.store.StepRun;
import dev.kiln.spec.protocol.Status;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import org.slf4j.LoggerFactory;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tells whoever follows a build (an SSE stream, a waiting client) that something about it changed:
 * its status, a step, or a log's size, and which. Followers re-read the store, only the part that
 * changed; no log data travels here, so a slow follower never holds memory or slows an agent. A
 * step's change may come with how its row changed, so that a follower holding the row need not
 * read it again (the agent's next write would wait for that read).
 * Separately, {@link StatusListener}s hear each move of a build's status once (queued, pending,
 * working, its end), without log noise: how commit statuses reach a forge without the scheduler
 * knowing of git.
 */
public final class BuildEvents {
    /** The part of a build that changed: its own row (which may also end steps and add notices to logs), a step's row, a step's log. */
    public enum Part { BUILD, STEP, LOG }

    /** Told of each status a build moved to, after the move is stored. Must return quickly and not throw. */
    public interface StatusListener {
        void moved(String buildId, Status to);
    }

    private final List<StatusListener> statusListeners = new CopyOnWriteArrayList<>();

    public void onStatus(StatusListener l) {
        statusListeners.add(l);
    }

    /** A build's status moved to {@code to}: told to each status listener; one that throws is logged, not spread. */
    public void moved(String buildId, Status to) {
        for (StatusListener l : statusListeners) {
            try {
                l.moved(buildId, to);
            } catch (RuntimeException e) {
                LoggerFactory.getLogger(BuildEvents.class).warn("status listener failed for build {}", buildId, e);
            }
        }
    }

    /** Woken on any change to a build it follows. Must return quickly. */
    public interface Follower {
        void changed(String buildId);

        /**
         * The same, saying what changed: {@code step} is the step's index, or -1 for {@link Part#BUILD}. A
         * follower that re-reads only what changed overrides this one; the default forgets the detail.
         */
        default void changed(String buildId, Part part, int step) {
            changed(buildId);
        }

        /**
         * Step {@code step}'s row changed as {@code how} says: applied to the row as the follower last
         * saw it, it gives the row as stored now (and leaves a row the change does not apply to as it is,
         * as the store's own guards do). The default re-reads, as for any step change.
         */
        default void stepChanged(String buildId, int step, UnaryOperator<StepRun> how) {
            changed(buildId, Part.STEP, step);
        }
    }

    private final ConcurrentHashMap<String, Set<Follower>> byBuild = new ConcurrentHashMap<>();
    private final Set<Follower> all = ConcurrentHashMap.newKeySet();

    public void follow(String buildId, Follower f) {
        // Added inside compute, so that unfollow's cleanup cannot drop the set between finding it and adding to it.
        byBuild.compute(buildId, (k, s) -> {
            Set<Follower> set = s != null ? s : ConcurrentHashMap.newKeySet();
            set.add(f);
            return set;
        });
    }

    public void followAll(Follower f) {
        all.add(f);
    }

    public void unfollow(Follower f) {
        all.remove(f);
        for (String buildId : byBuild.keySet()) {
            unfollow(buildId, f);
        }
    }

    /** Stops {@code f} following one build: what a stream that follows only that build calls, without a walk over every build. */
    public void unfollow(String buildId, Follower f) {
        // Removes the build's set once empty, in one step with any follow of the same build: a set another
        // thread is adding to is never dropped.
        byBuild.computeIfPresent(buildId, (k, s) -> {
            s.remove(f);
            return s.isEmpty() ? null : s;
        });
    }

    /** The build's own row changed (status, times, its end): followers re-read all of it. */
    public void changed(String buildId) {
        changed(buildId, Part.BUILD, -1);
    }

    /** Step {@code step}'s row changed (it started or ended). */
    public void stepChanged(String buildId, int step) {
        changed(buildId, Part.STEP, step);
    }

    /** Step {@code step}'s row changed as {@code how} says (see {@link Follower#stepChanged}). */
    public void stepChanged(String buildId, int step, UnaryOperator<StepRun> how) {
        Set<Follower> s = byBuild.get(buildId);
        if (s != null) {
            s.forEach(f -> f.stepChanged(buildId, step, how));
        }
        all.forEach(f -> f.stepChanged(buildId, step, how));
    }

    /** Step {@code step}'s log grew. */
    public void logGrew(String buildId, int step) {
        changed(buildId, Part.LOG, step);
    }

    private void changed(String buildId, Part part, int step) {
        Set<Follower> s = byBuild.get(buildId);
        if (s != null) {
            s.forEach(f -> f.changed(buildId, part, step));
        }
        all.forEach(f -> f.changed(buildId, part, step));
    }

    /** Followers there are now, of one build or of all: what {@code kiln_sse_followers} shows. */
    public int followers() {
        int n = all.size();
        for (Set<Follower> s : byBuild.values()) {
            n += s.size();
        }
        return n;
    }

    /** How many builds have a follower: for tests, which check that unfollowing leaves no empty entry behind. */
    int followedBuilds() {
        return byBuild.size();
    }
}
