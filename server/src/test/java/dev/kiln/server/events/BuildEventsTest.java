package dev.kiln.server.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
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

    /** Records the ids it is told about. */
    static final class Heard implements BuildEvents.Follower {
        final List<String> ids = new CopyOnWriteArrayList<>();

        @Override
        public void changed(String buildId) {
            ids.add(buildId);
        }
    }
}
