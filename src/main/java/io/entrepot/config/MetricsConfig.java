package io.entrepot.config;

import java.time.Duration;

/**
 * Metrics: distribution's {@code http.debug.prometheus} keys, and Entrepot's own {@code metrics}
 * section.
 *
 * @param prometheusEnabled whether the debug listener serves metrics ({@code http.debug.prometheus.enabled})
 * @param prometheusPath the path of the metrics endpoint on the debug listener, starting with "/"
 * @param storageUsageInterval how often a background walk of the storage refreshes the storage
 *     usage gauges ({@code metrics.storageusage.interval}); zero turns the walk off
 * @param storageQuotaBytes the storage quota that alert rules compare usage with, in bytes
 *     ({@code metrics.storageusage.quota}); zero when none is set
 * @param topPullsSize how many of the most pulled repositories are exported ({@code metrics.toppulls.size})
 */
public record MetricsConfig(
        boolean prometheusEnabled,
        String prometheusPath,
        Duration storageUsageInterval,
        long storageQuotaBytes,
        int topPullsSize) {

    /** Distribution's default path for {@code http.debug.prometheus.path}. */
    public static final String DEFAULT_PATH = "/metrics";

    /** Often enough for a dashboard, rarely enough that walking a large bucket stays cheap. */
    public static final Duration DEFAULT_STORAGE_USAGE_INTERVAL = Duration.ofMinutes(5);

    public static final int DEFAULT_TOP_PULLS_SIZE = 10;

    /** The largest {@code metrics.toppulls.size}: each exported repository is one more series. */
    public static final int MAX_TOP_PULLS_SIZE = 100;

    public static final MetricsConfig DEFAULT = new MetricsConfig(
            true, DEFAULT_PATH, DEFAULT_STORAGE_USAGE_INTERVAL, 0, DEFAULT_TOP_PULLS_SIZE);
}
