package io.entrepot.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TopPullsTest {

    @Test
    void top_fewRepositories_exactCountsMostPulledFirst() {
        TopPulls pulls = new TopPulls(2);
        pulls.record("b");
        pulls.record("a");
        pulls.record("a");
        pulls.record("c");

        List<TopPulls.Entry> top = pulls.top();

        assertThat(top).containsExactly(new TopPulls.Entry("a", 2, 0), new TopPulls.Entry("b", 1, 0));
    }

    @Test
    void top_manyRareRepositories_keepsHeavyHittersInBoundedTable() {
        TopPulls pulls = new TopPulls(3);
        Random random = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            // A third of the pulls go to three popular repositories, the rest to 5,000 rare ones.
            int draw = random.nextInt(3);
            pulls.record(draw == 0 ? "popular/" + random.nextInt(3) : "rare/" + random.nextInt(5_000));
        }

        List<TopPulls.Entry> top = pulls.top();

        assertThat(top).extracting(TopPulls.Entry::repository)
                .containsExactlyInAnyOrder("popular/0", "popular/1", "popular/2");
        for (TopPulls.Entry entry : top) {
            // Each popular repository got about 20,000 / 9 pulls; the error bounds the overestimate.
            assertThat(entry.pulls() - entry.error()).as("lower bound of %s", entry).isLessThanOrEqualTo(2_400);
            assertThat(entry.pulls()).as("estimate of %s", entry).isGreaterThan(2_000);
        }
    }

    @Test
    void top_tableFull_newRepositoryInheritsMinimumAsError() {
        TopPulls pulls = new TopPulls(1);
        for (int i = 0; i < 10; i++) {
            pulls.record("r" + i);
        }
        pulls.record("r0");
        pulls.record("newcomer");

        // The table holds ten; the newcomer replaced a repository pulled once, so it starts at 2
        // with an error of 1, and ties with r0, which it precedes by name.
        assertThat(pulls.top()).containsExactly(new TopPulls.Entry("newcomer", 2, 1));
    }

    @Test
    void constructor_zeroSize_rejected() {
        assertThatThrownBy(() -> new TopPulls(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("size must be positive: 0");
    }
}
