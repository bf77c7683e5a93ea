package io.entrepot.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * What clients push and pull: blob bytes, manifests per media type, and the most pulled
 * repositories. Media types are bounded because only known manifest types are stored, and the
 * repository label of {@code registry_toppulls_pulls} is bounded by {@code metrics.toppulls.size}.
 */
public final class ContentMetrics {

    private final Counter bytesPushed;
    private final Counter bytesPulled;
    private final Counter manifestsPushed;
    private final Counter manifestsPulled;
    private final TopPulls topPulls;

    ContentMetrics(PrometheusRegistry registry, int topPullsSize) {
        bytesPushed = Counter.builder().name("registry_blob_pushed_bytes")
                .help("Bytes of blob content received in uploads.")
                .register(registry);
        bytesPulled = Counter.builder().name("registry_blob_pulled_bytes")
                .help("Bytes of blob content sent to clients.")
                .register(registry);
        manifestsPushed = Counter.builder().name("registry_manifests_pushed")
                .help("Manifests stored by PUT, by media type.")
                .labelNames("media_type")
                .register(registry);
        manifestsPulled = Counter.builder().name("registry_manifests_pulled")
                .help("Manifests sent by GET, by media type.")
                .labelNames("media_type")
                .register(registry);
        topPulls = new TopPulls(topPullsSize);
        GaugeWithCallback.builder().name("registry_toppulls_pulls")
                .help("Estimated manifest GETs since start-up of the most pulled repositories of this instance;"
                        + " the estimate may exceed the true count but never falls below it.")
                .labelNames("repository")
                .callback(callback -> topPulls.top().forEach(entry -> callback.call(entry.pulls(), entry.repository())))
                .register(registry);
    }

    public void blobBytesPushed(long bytes) {
        if (bytes > 0) {
            bytesPushed.inc(bytes);
        }
    }

    public void blobBytesPulled(long bytes) {
        if (bytes > 0) {
            bytesPulled.inc(bytes);
        }
    }

    public void manifestPushed(String mediaType) {
        manifestsPushed.labelValues(mediaType).inc();
    }

    /** Counts a manifest GET, both by media type and as a pull of {@code repository}. */
    public void manifestPulled(String repository, String mediaType) {
        manifestsPulled.labelValues(mediaType).inc();
        topPulls.record(repository);
    }

    public TopPulls topPulls() {
        return topPulls;
    }
}
