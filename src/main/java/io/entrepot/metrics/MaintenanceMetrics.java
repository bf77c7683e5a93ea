package io.entrepot.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs of one maintenance job, such as garbage collection ({@code registry_gc_*}) or retention
 * ({@code registry_retention_*}): their duration and outcome, what they removed, and when one last
 * succeeded, which alert rules compare with the current time.
 */
public final class MaintenanceMetrics {

    /** Buckets in seconds: a small registry's run takes a second, a large bucket's hours. */
    private static final double[] DURATION_BUCKETS = {1, 5, 15, 60, 300, 900, 3600, 4 * 3600, 12 * 3600};

    private final Histogram duration;
    private final Counter runs;
    private final Counter removedItems;
    private final Counter removedBytes;
    private final AtomicLong lastSuccessEpochSeconds = new AtomicLong();

    /**
     * @param job the metric name's subsystem, such as {@code gc} or {@code retention}
     * @param description what the job is, for help texts, such as "garbage collection"
     */
    MaintenanceMetrics(PrometheusRegistry registry, String job, String description) {
        String prefix = "registry_" + job + "_";
        duration = Histogram.builder().name(prefix + "duration_seconds")
                .help("Duration of " + description + " runs in seconds.")
                .classicOnly().classicUpperBounds(DURATION_BUCKETS)
                .register(registry);
        runs = Counter.builder().name(prefix + "runs")
                .help("Finished " + description + " runs, by result: success or failure.")
                .labelNames("result")
                .register(registry);
        removedItems = Counter.builder().name(prefix + "removed_items")
                .help("Items removed by " + description + ", by kind: blob or manifest.")
                .labelNames("kind")
                .register(registry);
        removedBytes = Counter.builder().name(prefix + "removed_bytes")
                .help("Bytes of blob content removed by " + description + ".")
                .register(registry);
        GaugeWithCallback.builder().name(prefix + "last_success_timestamp_seconds")
                .help("Unix time at which the last successful " + description + " run finished; absent until one has.")
                .callback(callback -> {
                    long seconds = lastSuccessEpochSeconds.get();
                    if (seconds > 0) {
                        callback.call(seconds);
                    }
                })
                .register(registry);
        runs.initLabelValues("success");
        runs.initLabelValues("failure");
    }

    /**
     * Records a finished run. A dry run removes nothing, so callers pass zero removals for it.
     *
     * @param removedBlobs blobs removed
     * @param removedManifests manifests removed
     * @param bytes bytes of blob content removed
     */
    public void recordRun(Duration elapsed, Instant finishedAt, boolean success, long removedBlobs, long removedManifests, long bytes) {
        duration.observe(elapsed.toNanos() / 1e9);
        runs.labelValues(success ? "success" : "failure").inc();
        if (removedBlobs > 0) {
            removedItems.labelValues("blob").inc(removedBlobs);
        }
        if (removedManifests > 0) {
            removedItems.labelValues("manifest").inc(removedManifests);
        }
        if (bytes > 0) {
            removedBytes.inc(bytes);
        }
        if (success) {
            lastSuccessEpochSeconds.set(finishedAt.getEpochSecond());
        }
    }
}
