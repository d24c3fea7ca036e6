package dev.kiln.server.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class BuildEventsTest {
    final BuildEvents events = new BuildEvents();

    @Test
    void a_follower_of_a_build_hears_that_build_and_no_other() {
        Heard f = new Heard();
        events.follow("b1", f);

        events.changed("b1");
        events.changed("b2");
        events.changed("b1");

        assertThat(f.ids).containsExactly("b1", "b1");
    }

    @Test
    void every_follower_of_a_build_hears_each_change_once() {
        Heard f = new Heard();
        Heard g = new Heard();
        events.follow("b1", f);
        events.follow("b1", g);
        events.follow("b1", f);

        events.changed("b1");

        assertThat(f.ids).containsExactly("b1");
        assertThat(g.ids).containsExactly("b1");
    }

    @Test
    void a_follower_of_all_hears_every_build() {
        Heard all = new Heard();
        events.followAll(all);

        events.changed("b1");
        events.changed("b2");

        assertThat(all.ids).containsExactly("b1", "b2");
    }

    @Test
    void after_unfollow_a_follower_hears_nothing_more_and_the_others_still_hear() {
        Heard gone = new Heard();
        Heard stays = new Heard();
        events.follow("b1", gone);
        events.follow("b2", gone);
        events.followAll(gone);
        events.follow("b1", stays);

        events.unfollow(gone);
        events.changed("b1");
        events.changed("b2");

        assertThat(gone.ids).isEmpty();
        assertThat(stays.ids).containsExactly("b1");
    }

    @Test
    void unfollowing_the_last_follower_of_a_build_leaves_no_entry_for_it() {
        Heard f = new Heard();
        Heard g = new Heard();
        events.follow("b1", f);
        events.follow("b2", f);
        events.follow("b2", g);
        assertThat(events.followedBuilds()).isEqualTo(2);

        events.unfollow(f);
        assertThat(events.followedBuilds()).isEqualTo(1);

        events.unfollow(g);
        assertThat(events.followedBuilds()).isZero();
    }

    @Test
    void unfollowing_one_that_never_followed_changes_nothing() {
        Heard f = new Heard();
        events.follow("b1", f);

        events.unfollow(new Heard());
        events.changed("b1");

        assertThat(f.ids).containsExactly("b1");
        assertThat(events.followedBuilds()).isEqualTo(1);
    }

    @Test
    void a_follower_added_during_a_notification_hears_the_next_change() {
        Heard added = new Heard();
        Heard addedToAll = new Heard();
        events.follow("b1", id -> {
            events.follow(id, added);
            events.followAll(addedToAll);
        });

        events.changed("b1");
        added.ids.clear();
        addedToAll.ids.clear();
        events.changed("b1");

        assertThat(added.ids).containsExactly("b1");
        assertThat(addedToAll.ids).containsExactly("b1");
    }

    @Test
    void a_follower_that_unfollows_itself_during_a_notification_does_not_keep_the_others_from_hearing_it() {
        Heard before = new Heard();
        Heard after = new Heard();
        List<String> quitter = new CopyOnWriteArrayList<>();
        events.follow("b1", before);
        events.follow("b1", new BuildEvents.Follower() {
            @Override
            public void changed(String id) {
                quitter.add(id);
                events.unfollow(this);
            }
        });
        events.followAll(after);

        events.changed("b1");
        events.changed("b1");

        assertThat(quitter).containsExactly("b1");
        assertThat(before.ids).containsExactly("b1", "b1");
        assertThat(after.ids).containsExactly("b1", "b1");
    }

    @Test
    void a_follower_that_joins_a_build_while_its_last_follower_leaves_is_not_lost() throws Exception {
        // Two clients of one build: one disconnects as the other connects. The joining follower is
        // held inside follow() at the moment it is added to the build's set (its hashCode, which the
        // set asks for, waits for the test), and the leaving one unfollows right then.
        Heard leaving = new Heard();
        events.follow("b1", leaving);
        CountDownLatch beingAdded = new CountDownLatch(1);
        CountDownLatch goOn = new CountDownLatch(1);
        Heard joining = new Heard() {
            private final AtomicBoolean first = new AtomicBoolean(true);

            @Override
            public int hashCode() {
                if (first.getAndSet(false)) {
                    beingAdded.countDown();
                    try {
                        goOn.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return 42;
            }
        };
        Thread join = new Thread(() -> events.follow("b1", joining), "joins");
        join.start();
        assertThat(beingAdded.await(10, TimeUnit.SECONDS)).isTrue();

        Thread leave = new Thread(() -> events.unfollow(leaving), "leaves");
        leave.start();
        // Either the leave is done, or it waits for the join to finish: both are fair; losing the joiner is not.
        await().atMost(Duration.ofSeconds(10)).until(() -> leave.getState() == Thread.State.TERMINATED
                || leave.getState() == Thread.State.BLOCKED);
        goOn.countDown();
        join.join(10_000);
        leave.join(10_000);

        events.changed("b1");

        assertThat(joining.ids).containsExactly("b1");
        assertThat(leaving.ids).isEmpty();
        assertThat(events.followedBuilds()).isEqualTo(1);
    }

    @Test
    void a_follower_hears_which_part_changed_and_unfollowing_one_build_leaves_the_others() {
        List<String> heard = new CopyOnWriteArrayList<>();
        BuildEvents.Follower f = new BuildEvents.Follower() {
            @Override
            public void changed(String buildId) {
                throw new AssertionError("the detailed call is made");
            }

            @Override
            public void changed(String buildId, BuildEvents.Part part, int step) {
                heard.add(buildId + " " + part + " " + step);
            }
        };
        events.follow("b1", f);
        events.follow("b2", f);

        events.changed("b1");
        events.stepChanged("b1", 3);
        events.logGrew("b1", 4);
        events.unfollow("b1", f);
        events.logGrew("b1", 4);
        events.stepChanged("b2", 0);

        assertThat(heard).containsExactly("b1 BUILD -1", "b1 STEP 3", "b1 LOG 4", "b2 STEP 0");
        assertThat(events.followedBuilds()).isEqualTo(1);
    }

    /** Records the ids it is told about. */
    static class Heard implements BuildEvents.Follower {
        final List<String> ids = new CopyOnWriteArrayList<>();

        @Override
        public void changed(String buildId) {
            ids.add(buildId);
        }
    }
}
