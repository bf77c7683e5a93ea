package io.entrepot.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The {@code storage} section: exactly one driver, plus the options that apply to every driver.
 */
public record StorageConfig(Driver driver, boolean deleteEnabled, UploadPurging uploadPurging, boolean readOnly,
        GarbageCollection garbageCollection) {

    /** Builds a configuration without online garbage collection. */
    public StorageConfig(Driver driver, boolean deleteEnabled, UploadPurging uploadPurging, boolean readOnly) {
        this(driver, deleteEnabled, uploadPurging, readOnly, GarbageCollection.DEFAULT);
    }

    /** The configured storage driver and its parameters. */
    public sealed interface Driver permits Filesystem, InMemory {}

    /** {@code storage.filesystem}: {@code rootdirectory} and {@code maxthreads}. */
    public record Filesystem(Path rootDirectory, int maxThreads) implements Driver {
        /** Distribution's default root directory. */
        public static final Path DEFAULT_ROOT = Path.of("/var/lib/registry");
    }

    /** {@code storage.inmemory}: no parameters. */
    public record InMemory() implements Driver {}

    /**
     * {@code storage.maintenance.uploadpurging}. Distribution's defaults: enabled, uploads older
     * than 168 h removed every 24 h.
     */
    public record UploadPurging(boolean enabled, Duration age, Duration interval, boolean dryRun) {
        public static final UploadPurging DEFAULT = new UploadPurging(true, Duration.ofHours(168), Duration.ofHours(24), false);
    }

    /**
     * {@code storage.maintenance.gc}, Entrepot's own key: garbage collection inside the server,
     * off by default as in distribution, which has none.
     */
    public record GarbageCollection(boolean enabled, Duration interval, Duration grace, boolean deleteUntagged, boolean dryRun) {
        public static final GarbageCollection DEFAULT =
                new GarbageCollection(false, Duration.ofHours(24), Duration.ofHours(1), false, false);

        /**
         * The shortest grace period accepted online: a push may take up to 30 s between claiming
         * its blobs and linking its manifest, and the rest covers clock differences between instances.
         */
        public static final Duration MIN_ONLINE_GRACE = Duration.ofMinutes(1);
    }
}
