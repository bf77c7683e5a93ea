package io.entrepot.maintenance;

import java.io.IOException;
import java.time.Duration;

/**
 * Decides which instance of a cluster runs a maintenance job, so that only one collects at a
 * time. Overlapping collectors remain safe, because every deletion is checked against pushes
 * (see {@link GarbageCollector}), so a lease only avoids wasted work and must not be relied on
 * for correctness.
 */
public interface CollectionLease {

    /**
     * Takes the lease for {@code holder} until {@code duration} from now, unless another holder
     * has it and it has not expired. Taking a lease one already holds extends it.
     *
     * @return whether {@code holder} now holds the lease
     */
    boolean tryAcquire(String holder, Duration duration) throws IOException;

    /** Gives the lease up if {@code holder} has it; does nothing otherwise. */
    void release(String holder) throws IOException;
}
