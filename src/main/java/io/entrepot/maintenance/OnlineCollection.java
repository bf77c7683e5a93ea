package io.entrepot.maintenance;

import java.io.IOException;

/**
 * One scheduled garbage collection inside a running server: takes the cluster lease, collects,
 * gives the lease back. Instances that do not get the lease skip the run.
 */
public final class OnlineCollection {

    private final GarbageCollector collector;
    private final LeasedJob leased;
    private final GcOptions options;

    public OnlineCollection(GarbageCollector collector, CollectionLease lease, GcOptions options) {
        this.collector = collector;
        this.leased = new LeasedJob(lease, "gc");
        this.options = options;
    }

    /**
     * Runs one collection if this instance gets the lease.
     *
     * @return the report, or null when another instance holds the lease
     */
    public GcReport collectIfLeaseHolder() throws IOException {
        return leased.runIfLeaseHolder(() -> collector.collect(options, GcProgress.NONE)).orElse(null);
    }
}
