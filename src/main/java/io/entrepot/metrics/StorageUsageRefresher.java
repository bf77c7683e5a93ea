package io.entrepot.metrics;

import io.entrepot.registry.StorageUsage;
import io.entrepot.storage.StorageDriver;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Walks the storage on a fixed delay and publishes the totals to the storage usage gauges, so
 * that a scrape never walks the storage itself.
 */
public final class StorageUsageRefresher implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(StorageUsageRefresher.class);

    private final StorageDriver driver;
    private final StorageMetrics metrics;
    private final Clock clock;

    public StorageUsageRefresher(StorageDriver driver, StorageMetrics metrics, Clock clock) {
        this.driver = driver;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** Runs a first walk right away, then one {@code interval} after each walk ends. */
    public void schedule(ScheduledExecutorService scheduler, Duration interval) {
        scheduler.scheduleWithFixedDelay(this, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Walks the storage once. A failed walk is logged and leaves the previous totals in place. */
    @Override
    public void run() {
        long start = System.nanoTime();
        try {
            StorageUsage usage = StorageUsage.measure(driver);
            metrics.updateUsage(usage, clock.instant().getEpochSecond());
            log.atDebug().addKeyValue("blobs", usage.blobs()).addKeyValue("bytes", usage.blobBytes())
                    .addKeyValue("repositories", usage.repositories()).addKeyValue("uploads", usage.uploads())
                    .addKeyValue("duration_ms", (System.nanoTime() - start) / 1_000_000)
                    .log("storage usage walk finished");
        } catch (IOException | RuntimeException e) {
            log.atWarn().addKeyValue("storage", driver.name()).setCause(e)
                    .log("storage usage walk failed, so the storage usage gauges keep their previous values");
        }
    }
}
