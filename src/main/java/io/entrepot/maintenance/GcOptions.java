package io.entrepot.maintenance;

import java.time.Duration;
import java.util.Objects;

/**
 * The settings of one garbage collection.
 *
 * @param dryRun report what would be removed and change nothing
 * @param deleteUntagged also remove manifests that no tag reaches, except children of a kept
 *     index and referrers whose subject is kept
 * @param grace never remove a blob or manifest written, or named by a push, less than this long
 *     before the collection started
 */
public record GcOptions(boolean dryRun, boolean deleteUntagged, Duration grace) {

    /** The grace period when none is configured: long enough for any push to finish. */
    public static final Duration DEFAULT_GRACE = Duration.ofHours(1);

    public GcOptions {
        Objects.requireNonNull(grace, "grace");
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace must not be negative: " + grace);
        }
    }
}
