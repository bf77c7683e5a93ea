package io.entrepot.metrics;

import io.entrepot.registry.StorageUsage;
import io.entrepot.storage.StorageObserver;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;

/**
 * Storage metrics: distribution's per-call timer and cache counter, and Entrepot's storage usage
 * gauges, which a background walk refreshes (see {@link StorageUsageRefresher}).
 */
public final class StorageMetrics implements StorageObserver {

    /** Buckets in seconds: a local stat takes microseconds, an S3 multipart commit seconds. */
    private static final double[] ACTION_BUCKETS = {.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30};

    private final PrometheusRegistry registry;
    private final Histogram actionSeconds;
    private final Counter cache;
    private volatile StorageUsage usage;
    private volatile long walkedAt;

    StorageMetrics(PrometheusRegistry registry, long quotaBytes) {
        this.registry = registry;
        actionSeconds = Histogram.builder().name("registry_storage_action_seconds")
                .help("The number of seconds that the storage action takes.")
                .labelNames("driver", "action")
                .classicOnly().classicUpperBounds(ACTION_BUCKETS)
                .register(registry);
        cache = Counter.builder().name("registry_storage_cache")
                .help("The number of cache requests received, by type: Request, Hit, Miss or Error.")
                .labelNames("type")
                .register(registry);
        // Exported at zero so that dashboards and the hit ratio query find the series before a cache exists.
        for (String type : new String[] {"Request", "Hit", "Miss", "Error"}) {
            cache.initLabelValues(type);
        }

        // The usage gauges are absent until the first walk finishes, rather than a misleading zero.
        usageGauge(registry, "registry_storage_used_bytes", "Bytes of blob content in storage, as of the last storage usage walk.",
                StorageUsage::blobBytes);
        usageGauge(registry, "registry_storage_blobs", "Blobs in storage, as of the last storage usage walk.",
                StorageUsage::blobs);
        usageGauge(registry, "registry_storage_repositories", "Repositories in storage, as of the last storage usage walk.",
                StorageUsage::repositories);
        usageGauge(registry, "registry_uploads_in_progress",
                "Blob uploads started and neither finished nor cancelled, as of the last storage usage walk.", StorageUsage::uploads);
        GaugeWithCallback.builder().name("registry_storage_usage_last_walk_timestamp_seconds")
                .help("Unix time at which the last storage usage walk finished.")
                .callback(callback -> {
                    if (usage != null) {
                        callback.call(walkedAt);
                    }
                })
                .register(registry);
        if (quotaBytes > 0) {
            Gauge.builder().name("registry_storage_quota_bytes")
                    .help("The storage quota from metrics.storageusage.quota, in bytes.")
                    .register(registry)
                    .set(quotaBytes);
        }
    }

    /**
     * Registers {@code registry_storage_s3_part_buffer_bytes}, read from {@code bytesInUse} at each
     * scrape. Only an S3 driver has part buffers, so other drivers export no such gauge.
     */
    public void registerS3PartBuffers(LongSupplier bytesInUse) {
        GaugeWithCallback.builder().name("registry_storage_s3_part_buffer_bytes")
                .help("Bytes of multipart part buffers that S3 uploads hold now, including the first buffer of each open upload.")
                .callback(callback -> callback.call(bytesInUse.getAsLong()))
                .register(registry);
    }

    @Override
    public void observe(String driver, String action, long nanos, boolean failed) {
        actionSeconds.labelValues(driver, action).observe(nanos / 1e9);
    }

    /** Counts one blob descriptor cache event under its label: Request, Hit, Miss or Error. */
    public void countCache(String type) {
        cache.labelValues(type).inc();
    }

    /** Replaces the usage gauges with the totals of a finished walk. */
    public void updateUsage(StorageUsage usage, long finishedAtEpochSeconds) {
        this.walkedAt = finishedAtEpochSeconds;
        this.usage = usage;
    }

    private void usageGauge(PrometheusRegistry registry, String name, String help, ToLongFunction<StorageUsage> value) {
        GaugeWithCallback.builder().name(name).help(help)
                .callback(callback -> {
                    StorageUsage current = usage;
                    if (current != null) {
                        callback.call(value.applyAsLong(current));
                    }
                })
                .register(registry);
    }
}
