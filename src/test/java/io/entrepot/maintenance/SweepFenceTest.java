package io.entrepot.maintenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThatNoException;

import io.entrepot.registry.CollectionEpoch;
import io.entrepot.storage.StorageDriver;
import io.entrepot.storage.inmemory.InMemoryDriver;
import io.entrepot.testing.MutableClock;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The collector's heartbeat and its check before each delete, on a clock the test moves by hand. */
class SweepFenceTest {

    private static final Duration DEADLINE = CollectionEpoch.HEARTBEAT_DEADLINE;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final AtomicLong nanoTime = new AtomicLong(1_000_000_000L);
    private final StorageDriver storage = new InMemoryDriver();
    /** What the next marker write does before it reaches storage: fail, or take time. */
    private volatile WriteBehaviour nextWrites = WriteBehaviour.NORMAL;
    private final CollectionEpoch epoch = new CollectionEpoch(controlledWrites(storage));
    // A zero heartbeat interval starts no thread: the test calls beat() itself.
    private final SweepFence fence = new SweepFence(epoch, Duration.ZERO, Duration.ZERO, DEADLINE, clock, nanoTime::get);

    private enum WriteBehaviour { NORMAL, FAIL, TAKE_DEADLINE }

    @Test
    void beat_rewritesMarkerSameId() throws Exception {
        fence.raise();
        CollectionEpoch.State raised = epoch.read();
        advance(CollectionEpoch.HEARTBEAT_INTERVAL);

        assertThat(fence.beat()).isTrue();

        CollectionEpoch.State refreshed = epoch.read();
        assertThat(refreshed.sweeping()).isTrue();
        assertThat(refreshed.id()).isEqualTo(raised.id());
        assertThat(refreshed.publishedAt()).isAfter(raised.publishedAt());
        assertThat(refreshed.text()).isNotEqualTo(raised.text());
    }

    @Test
    void beat_clockNotMoved_stillChangesMarker() throws Exception {
        fence.raise();
        CollectionEpoch.State raised = epoch.read();

        fence.beat();

        assertThat(epoch.read().text()).as("a marker rewritten within one clock tick").isNotEqualTo(raised.text());
    }

    @Test
    void checkHeld_withinDeadline_passes() throws Exception {
        fence.raise();
        advance(DEADLINE.minusMillis(1));

        assertThatNoException().isThrownBy(fence::checkHeld);
    }

    @Test
    void checkHeld_noHeartbeatPastDeadline_throws() throws Exception {
        fence.raise();
        advance(DEADLINE);

        assertThatThrownBy(fence::checkHeld).isInstanceOf(FenceLapsedException.class)
                .hasMessageContaining(CollectionEpoch.PATH).hasMessageContaining(epoch.read().id());
    }

    @Test
    void checkHeld_heartbeats_extendPastFirstDeadline() throws Exception {
        fence.raise();
        for (int i = 0; i < 10; i++) {
            advance(CollectionEpoch.HEARTBEAT_INTERVAL);
            assertThat(fence.beat()).as("heartbeat %d", i).isTrue();
        }

        assertThatNoException().as("%s after the raise", CollectionEpoch.HEARTBEAT_INTERVAL.multipliedBy(10))
                .isThrownBy(fence::checkHeld);
    }

    @Test
    void failedHeartbeat_doesNotExtend() throws Exception {
        fence.raise();
        advance(CollectionEpoch.HEARTBEAT_INTERVAL);
        nextWrites = WriteBehaviour.FAIL;

        assertThat(fence.beat()).isFalse();

        advance(DEADLINE.minus(CollectionEpoch.HEARTBEAT_INTERVAL));
        assertThatThrownBy(fence::checkHeld).isInstanceOf(FenceLapsedException.class);
    }

    @Test
    void failedHeartbeat_thenTimelyOne_keepsFence() throws Exception {
        fence.raise();
        advance(CollectionEpoch.HEARTBEAT_INTERVAL);
        nextWrites = WriteBehaviour.FAIL;
        fence.beat();
        nextWrites = WriteBehaviour.NORMAL;
        advance(CollectionEpoch.HEARTBEAT_INTERVAL);

        assertThat(fence.beat()).isTrue();

        advance(DEADLINE.minusMillis(1));
        assertThatNoException().isThrownBy(fence::checkHeld);
    }

    @Test
    void heartbeatReturningAfterDeadline_lapsesForGood() throws Exception {
        fence.raise();
        advance(CollectionEpoch.HEARTBEAT_INTERVAL);
        nextWrites = WriteBehaviour.TAKE_DEADLINE;

        assertThat(fence.beat()).as("a write that returns after the deadline").isFalse();
        assertThat(epoch.read().sweeping()).as("the late write still reached storage").isTrue();
        assertThatThrownBy(fence::checkHeld).isInstanceOf(FenceLapsedException.class);

        nextWrites = WriteBehaviour.NORMAL;
        assertThat(fence.beat()).as("a fast write after the lapse").isFalse();
        assertThatThrownBy(fence::checkHeld).isInstanceOf(FenceLapsedException.class);
    }

    @Test
    void raiseTakingDeadline_firstDeleteRejected() {
        nextWrites = WriteBehaviour.TAKE_DEADLINE;

        assertThatNoException().isThrownBy(fence::raise);

        assertThatThrownBy(fence::checkHeld).isInstanceOf(FenceLapsedException.class);
    }

    @Test
    void checkHeld_beforeRaise_isIllegal() {
        assertThatThrownBy(fence::checkHeld).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void lower_publishesIdleAndStopsHeartbeats() throws Exception {
        fence.raise();
        String id = epoch.read().id();

        fence.lower();

        assertThat(fence.beat()).as("a heartbeat after lower").isFalse();
        CollectionEpoch.State lowered = epoch.read();
        assertThat(lowered.sweeping()).isFalse();
        assertThat(lowered.id()).isNotEqualTo(id);
    }

    @Test
    void heartbeatThread_stopsBeforeIdleIsWritten() throws Exception {
        SweepFence beating = new SweepFence(epoch, Duration.ZERO, Duration.ofMillis(1), Duration.ofHours(1), clock,
                System::nanoTime);
        beating.raise();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String raised = epoch.read().text();
        while (epoch.read().text().equals(raised) && System.nanoTime() < deadline) {
            clock.advance(Duration.ofMillis(1));
            Thread.sleep(5);
        }
        assertThat(epoch.read().text()).as("marker rewritten by the heartbeat thread").isNotEqualTo(raised);

        beating.lower();
        String idle = epoch.read().text();
        Thread.sleep(50);

        assertThat(epoch.read().text()).as("epoch after lower and 50 ms of would-be heartbeats").isEqualTo(idle);
        assertThat(epoch.read().sweeping()).isFalse();
    }

    private void advance(Duration duration) {
        clock.advance(duration);
        nanoTime.addAndGet(duration.toNanos());
    }

    /** Returns {@code driver} with marker writes that fail or take the whole deadline as {@link #nextWrites} sets. */
    private StorageDriver controlledWrites(StorageDriver driver) {
        return (StorageDriver) Proxy.newProxyInstance(StorageDriver.class.getClassLoader(), new Class<?>[] {StorageDriver.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("putContent") && CollectionEpoch.PATH.equals(args[0])) {
                        switch (nextWrites) {
                            case FAIL -> throw new IOException("storage unreachable (injected)");
                            case TAKE_DEADLINE -> advance(DEADLINE);
                            case NORMAL -> { }
                        }
                    }
                    try {
                        return method.invoke(driver, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
