package dev.kiln.server.events;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tells whoever follows a build (an SSE stream, a waiting client) that something about it changed:
 * its status, a step, or a log's size. Followers re-read the store; no data travels here, so a
 * slow follower never holds memory or slows an agent.
 */
public final class BuildEvents {
    /** Woken on any change to a build it follows. Must return quickly. */
    public interface Follower {
        void changed(String buildId);
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
            // Removes the build's set once empty, in one step with any follow of the same build.
            byBuild.computeIfPresent(buildId, (k, s) -> {
                s.remove(f);
                return s.isEmpty() ? null : s;
            });
        }
    }

    public void changed(String buildId) {
        Set<Follower> s = byBuild.get(buildId);
        if (s != null) {
            s.forEach(f -> f.changed(buildId));
        }
        all.forEach(f -> f.changed(buildId));
    }

    /** How many builds have a follower: for tests, which check that unfollowing leaves no empty entry behind. */
    int followedBuilds() {
        return byBuild.size();
    }
}
