package io.entrepot.maintenance;

import io.entrepot.registry.CollectionEpoch;
import java.io.IOException;
import java.time.Duration;

/**
 * Thrown before a delete when a collector could not rewrite its {@code sweeping} marker within the
 * deadline, so that serving instances may already use their caches again. The collection stops
 * deleting, and running it again is safe.
 */
public final class FenceLapsedException extends IOException {

    FenceLapsedException(String epochId, Duration deadline) {
        super("garbage collection stopped before its next delete: the collection epoch marker " + CollectionEpoch.PATH
                + " (epoch " + epochId + ") was not rewritten within " + deadline
                + ", so instances may be using their caches again; check that storage is reachable and fast, then run the collection again");
    }
}
