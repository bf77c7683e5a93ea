package io.entrepot.metrics;

import io.entrepot.config.MetricsConfig;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * Every metric of one registry process, in its own {@link PrometheusRegistry} so that servers
 * started side by side in one JVM (as the tests do) do not share counters.
 */
public final class Metrics {

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final HttpMetrics http;
    private final StorageMetrics storage;
    private final ContentMetrics content;
    private final MaintenanceMetrics gc;
    private final MaintenanceMetrics retention;
    private final NotificationMetrics notifications;

    public Metrics(MetricsConfig config) {
        // JVM memory, threads and garbage collection, and process CPU, memory and open files.
        JvmMetrics.builder().register(registry);
        http = new HttpMetrics(registry);
        storage = new StorageMetrics(registry, config.storageQuotaBytes());
        content = new ContentMetrics(registry, config.topPullsSize());
        gc = new MaintenanceMetrics(registry, "gc", "garbage collection");
        retention = new MaintenanceMetrics(registry, "retention", "retention");
        notifications = new NotificationMetrics(registry);
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    public HttpMetrics http() {
        return http;
    }

    public StorageMetrics storage() {
        return storage;
    }

    public ContentMetrics content() {
        return content;
    }

    public MaintenanceMetrics gc() {
        return gc;
    }

    public MaintenanceMetrics retention() {
        return retention;
    }

    public NotificationMetrics notifications() {
        return notifications;
    }
}
