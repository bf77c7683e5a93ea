package io.entrepot.maintenance;

import io.entrepot.registry.CollectionEpoch;
import io.entrepot.storage.StorageDriver;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The collector's side of the {@link CollectionEpoch}: before its first delete a collection
 * raises the fence, which publishes {@code sweeping} and waits until every serving instance has
 * stopped answering from its blob descriptor cache, and after its last delete it lowers the
 * fence, which publishes {@code idle} so that instances drop their entries and use the cache again.
 */
public final class SweepFence {

    private static final Logger log = LoggerFactory.getLogger(SweepFence.class);

    private final CollectionEpoch epoch;
    private final Duration wait;
    private final Clock clock;

    /** A fence that waits {@link CollectionEpoch#FENCE_WAIT}, which the instances' polling requires. */
    public SweepFence(StorageDriver driver, Clock clock) {
        this(new CollectionEpoch(driver), CollectionEpoch.FENCE_WAIT, clock);
    }

    /**
     * A fence that waits {@code wait} after publishing. A wait shorter than
     * {@link CollectionEpoch#FENCE_WAIT} is safe only when no other process caches blob descriptors.
     */
    public SweepFence(CollectionEpoch epoch, Duration wait, Clock clock) {
        this.epoch = epoch;
        this.wait = wait;
        this.clock = clock;
    }

    /** Publishes {@code sweeping}, then waits until no instance answers from its cache. */
    void raise() throws IOException {
        CollectionEpoch.State state = epoch.publish(true, clock.instant());
        log.atInfo().addKeyValue("epoch", state.id()).addKeyValue("wait", wait)
                .log("collection epoch published, waiting for every instance to stop using its blob descriptor cache");
        try {
            Thread.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for instances to stop using their caches");
        }
    }

    /** Publishes {@code idle} with a new id, so that instances drop their entries and use their caches again. */
    void lower() throws IOException {
        CollectionEpoch.State state = epoch.publish(false, clock.instant());
        log.atInfo().addKeyValue("epoch", state.id()).log("collection epoch published, instances may use their caches again");
    }
}
