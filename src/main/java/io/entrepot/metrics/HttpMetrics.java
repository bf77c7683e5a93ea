package io.entrepot.metrics;

import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The HTTP metrics under distribution's names, so that its dashboards and alerts work unchanged.
 * The {@code handler} label is the name of a route, one of a fixed set, and {@code code} is the
 * numeric status, so no label grows with traffic.
 */
public final class HttpMetrics {

    /** Latency buckets in seconds: from 5 ms for a cached manifest to a minute for a large layer. */
    private static final double[] DURATION_BUCKETS = {.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60};

    /** Size buckets in bytes: 1 KiB to 1 GiB by powers of four, to tell manifests from layers. */
    private static final double[] SIZE_BUCKETS = {1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216,
            67108864, 268435456, 1073741824};

    private final Counter requests;
    private final Histogram duration;
    private final Histogram requestSize;
    private final Histogram responseSize;
    private final Gauge inFlight;

    HttpMetrics(PrometheusRegistry registry) {
        // The client appends _total to a counter's name, so this is exported as registry_http_requests_total.
        requests = Counter.builder().name("registry_http_requests")
                .help("Total number of HTTP requests made.")
                .labelNames("code", "handler", "method")
                .register(registry);
        duration = Histogram.builder().name("registry_http_request_duration_seconds")
                .help("The HTTP request latencies in seconds.")
                .labelNames("handler", "method")
                .classicOnly().classicUpperBounds(DURATION_BUCKETS)
                .register(registry);
        requestSize = Histogram.builder().name("registry_http_request_size_bytes")
                .help("The HTTP request body sizes in bytes.")
                .labelNames("handler")
                .classicOnly().classicUpperBounds(SIZE_BUCKETS)
                .register(registry);
        responseSize = Histogram.builder().name("registry_http_response_size_bytes")
                .help("The HTTP response body sizes in bytes.")
                .labelNames("handler")
                .classicOnly().classicUpperBounds(SIZE_BUCKETS)
                .register(registry);
        inFlight = Gauge.builder().name("registry_http_in_flight_requests")
                .help("The in-flight HTTP requests.")
                .labelNames("handler")
                .register(registry);
    }

    /** Counts a request as in flight; call {@link #finished} exactly once afterwards. */
    public void started(String handler) {
        inFlight.labelValues(handler).inc();
    }

    /** Records a finished request and ends its in-flight count. */
    public void finished(String handler, String method, int status, long nanos, long requestBytes, long responseBytes) {
        inFlight.labelValues(handler).dec();
        requests.labelValues(Integer.toString(status), handler, method).inc();
        DistributionDataPoint latency = duration.labelValues(handler, method);
        latency.observe(nanos / 1e9);
        requestSize.labelValues(handler).observe(Math.max(0, requestBytes));
        responseSize.labelValues(handler).observe(Math.max(0, responseBytes));
    }
}
