package io.entrepot.maintenance;

import java.io.IOException;
import java.time.Duration;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One scheduled garbage collection inside a running server: takes the cluster lease, collects,
 * gives the lease back. Instances that do not get the lease skip the run.
 */
public final class OnlineCollection implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(OnlineCollection.class);

    /** How long a lease lasts; a collection that runs longer may overlap with another, which is safe. */
    static final Duration LEASE_DURATION = Duration.ofHours(6);

    private final GarbageCollector collector;
    private final CollectionLease lease;
    private final GcOptions options;
    private final String holder = "entrepot-" + UUID.randomUUID();

    public OnlineCollection(GarbageCollector collector, CollectionLease lease, GcOptions options) {
        this.collector = collector;
        this.lease = lease;
        this.options = options;
    }

    /**
     * Runs one collection if this instance gets the lease.
     *
     * @return the report, or null when another instance holds the lease
     */
    public GcReport collectIfLeaseHolder() throws IOException {
        if (!lease.tryAcquire(holder, LEASE_DURATION)) {
            log.atInfo().addKeyValue("holder", holder).log("garbage collection skipped because another instance holds the lease");
            return null;
        }
        try {
            return collector.collect(options, GcProgress.NONE);
        } finally {
            lease.release(holder);
        }
    }

    /** Runs {@link #collectIfLeaseHolder} and logs a failure instead of throwing it, so a schedule continues. */
    @Override
    public void run() {
        try {
            collectIfLeaseHolder();
        } catch (IOException | RuntimeException e) {
            log.atError().setCause(e).addKeyValue("holder", holder).log("garbage collection failed");
        }
    }
}
