package io.entrepot.maintenance;

import io.entrepot.registry.CollectionEpoch;
import io.entrepot.storage.StorageDriver;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The collector's side of the {@link CollectionEpoch}: before its first delete a collection
 * raises the fence, which publishes {@code sweeping} and waits until every serving instance has
 * stopped serving lookups from its blob descriptor cache. While the collection deletes, a heartbeat
 * thread rewrites the marker every {@link CollectionEpoch#HEARTBEAT_INTERVAL}, and
 * {@link #checkHeld} rejects a delete once the last successful rewrite is older than
 * {@link CollectionEpoch#HEARTBEAT_DEADLINE}. After its last delete the collection lowers the
 * fence, which publishes {@code idle} so that instances drop their entries and use the cache again.
 */
public final class SweepFence {

    /*
     * Why a collector stops deleting when it cannot rewrite the marker.
     *
     * An instance that reads one unchanged "sweeping" marker for STALE_LIMIT on its own monotonic
     * clock treats the collector as dead and opens its cache again (SweepFencedCache gives the
     * instance's half of the argument). A collector that is alive but cannot reach storage, or
     * whose writes are slow, must therefore stop deleting before any instance can reach that
     * conclusion. Times below are on the collector's monotonic clock.
     *
     * - The fence is held until validUntil = b + HEARTBEAT_DEADLINE, where b is the start of the
     *   last marker write that returned successfully (the raise itself, then each heartbeat). The
     *   start is used because the write may take effect at any instant between its start and its
     *   return, so an instance may see it as early as b.
     * - A write that returns after validUntil does not extend it: by then an instance may have
     *   declared the fence abandoned, so the collection must stop. Once lapsed, the fence never
     *   becomes valid again, and the heartbeat stops.
     * - checkHeld runs before every delete and throws once validUntil has passed.
     *
     * So every delete starts before b + HEARTBEAT_DEADLINE for the last write b that an instance
     * can have seen, and STALE_LIMIT exceeds HEARTBEAT_DEADLINE by 90 s, the allowance for a
     * delete that takes effect late.
     */

    private static final Logger log = LoggerFactory.getLogger(SweepFence.class);

    private final CollectionEpoch epoch;
    private final Duration wait;
    private final Duration heartbeatInterval;
    private final Duration deadline;
    private final Clock clock;
    private final LongSupplier nanoTime;

    /** Serialises marker writes, so that no heartbeat overwrites the {@code idle} of {@link #lower}. */
    private final Object writeLock = new Object();
    private CollectionEpoch.State marker;
    private boolean lowered;
    private boolean lapsed;
    private volatile boolean raised;
    private volatile long validUntilNanos;
    private Thread heartbeat;

    /** Creates a fence that waits {@link CollectionEpoch#FENCE_WAIT}, which the instances' polling requires. */
    public SweepFence(StorageDriver driver, Clock clock) {
        this(new CollectionEpoch(driver), CollectionEpoch.FENCE_WAIT, clock);
    }

    /**
     * Creates a fence that waits {@code wait} after publishing. A wait shorter than
     * {@link CollectionEpoch#FENCE_WAIT} is safe only when no other process caches blob descriptors.
     */
    public SweepFence(CollectionEpoch epoch, Duration wait, Clock clock) {
        this(epoch, wait, CollectionEpoch.HEARTBEAT_INTERVAL, CollectionEpoch.HEARTBEAT_DEADLINE, clock, System::nanoTime);
    }

    /**
     * Creates, for tests, a fence with its own heartbeat timing and monotonic time source in nanoseconds. A
     * zero {@code heartbeatInterval} starts no heartbeat thread, so that tests call {@link #beat}.
     */
    SweepFence(CollectionEpoch epoch, Duration wait, Duration heartbeatInterval, Duration deadline, Clock clock,
            LongSupplier nanoTime) {
        this.epoch = epoch;
        this.wait = wait;
        this.heartbeatInterval = heartbeatInterval;
        this.deadline = deadline;
        this.clock = clock;
        this.nanoTime = nanoTime;
    }

    /** Publishes {@code sweeping}, starts the heartbeat, then waits until no instance serves lookups from its cache. */
    void raise() throws IOException {
        synchronized (writeLock) {
            long started = nanoTime.getAsLong();
            marker = epoch.publish(true, clock.instant());
            validUntilNanos = started + deadline.toNanos();
            lowered = false;
            lapsed = false;
            raised = true;
        }
        log.atInfo().addKeyValue("epoch", marker.id()).addKeyValue("wait", wait)
                .log("collection epoch published, waiting for every instance to stop using its blob descriptor cache");
        if (!heartbeatInterval.isZero()) {
            heartbeat = Thread.ofVirtual().name("entrepot-gc-heartbeat").start(this::beatUntilStopped);
        }
        try {
            Thread.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for instances to stop using their caches");
        }
    }

    private void beatUntilStopped() {
        while (true) {
            try {
                Thread.sleep(heartbeatInterval);
            } catch (InterruptedException e) {
                return;
            }
            beat();
            synchronized (writeLock) {
                if (lowered || lapsed) {
                    return;
                }
            }
        }
    }

    /**
     * Rewrites the {@code sweeping} marker with the current time and extends the fence when the
     * write returns before the fence lapsed.
     *
     * @return whether the fence was extended; false after {@link #lower}, after the fence lapsed,
     *     or when the write failed
     */
    boolean beat() {
        synchronized (writeLock) {
            if (!raised || lowered || lapsed) {
                return false;
            }
            long started = nanoTime.getAsLong();
            CollectionEpoch.State written;
            try {
                written = epoch.refresh(marker, laterThan(marker.publishedAt()));
            } catch (IOException | RuntimeException e) {
                log.atWarn().addKeyValue("epoch", marker.id()).addKeyValue("path", CollectionEpoch.PATH)
                        .addKeyValue("error", e.toString())
                        .log("failed to rewrite the collection epoch marker, retrying at the next heartbeat");
                lapseIfExpired();
                return false;
            }
            marker = written;
            if (lapseIfExpired()) {
                return false;
            }
            validUntilNanos = started + deadline.toNanos();
            return true;
        }
    }

    /** Marks the fence lapsed when its deadline has passed; returns whether it has lapsed. Holds writeLock. */
    private boolean lapseIfExpired() {
        if (!lapsed && nanoTime.getAsLong() - validUntilNanos >= 0) {
            lapsed = true;
            log.atWarn().addKeyValue("epoch", marker.id()).addKeyValue("deadline", deadline)
                    .log("collection epoch marker not rewritten within the deadline, so this collection deletes nothing more");
        }
        return lapsed;
    }

    /** Returns the current time, or a millisecond after {@code previous} when the clock has not moved past it. */
    private Instant laterThan(Instant previous) {
        Instant now = clock.instant();
        return now.isAfter(previous) ? now : previous.plusMillis(1);
    }

    /**
     * Checks, before a delete, that the fence still keeps every instance's cache closed.
     *
     * @throws FenceLapsedException when the last successful marker write is older than the deadline
     * @throws IllegalStateException when the fence was not raised
     */
    void checkHeld() throws FenceLapsedException {
        if (!raised) {
            throw new IllegalStateException("the sweep fence must be raised before the first delete");
        }
        if (nanoTime.getAsLong() - validUntilNanos >= 0) {
            synchronized (writeLock) {
                lapseIfExpired();
                throw new FenceLapsedException(marker.id(), deadline);
            }
        }
    }

    /**
     * Stops the heartbeat, then publishes {@code idle} with a new id, so that instances drop their
     * entries and use their caches again. Also after a lapse, because the collection has stopped deleting.
     */
    void lower() throws IOException {
        synchronized (writeLock) {
            lowered = true;
        }
        if (heartbeat != null) {
            heartbeat.interrupt();
            try {
                heartbeat.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while stopping the collection epoch heartbeat");
            }
            heartbeat = null;
        }
        CollectionEpoch.State state = epoch.publish(false, clock.instant());
        raised = false;
        log.atInfo().addKeyValue("epoch", state.id()).log("collection epoch published, instances may use their caches again");
    }
}
