package io.entrepot.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * Webhook notification deliveries, by endpoint name and result. Endpoint names come from the
 * configuration, so the label cannot grow with traffic.
 */
public final class NotificationMetrics {

    private final Counter deliveries;

    NotificationMetrics(PrometheusRegistry registry) {
        deliveries = Counter.builder().name("registry_notifications_deliveries")
                .help("Notification deliveries attempted, by endpoint and result: success or failure.")
                .labelNames("endpoint", "result")
                .register(registry);
    }

    public void delivered(String endpoint) {
        deliveries.labelValues(endpoint, "success").inc();
    }

    public void failed(String endpoint) {
        deliveries.labelValues(endpoint, "failure").inc();
    }
}
