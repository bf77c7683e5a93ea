package io.entrepot.tracing;

import io.entrepot.storage.StorageObserver;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * Records each storage call as a span after it finished, with its measured start and end, as a
 * child of the span current on the calling thread (the request's span).
 */
final class StorageSpans implements StorageObserver {

    private static final AttributeKey<String> DRIVER = AttributeKey.stringKey("storage.driver");
    private static final AttributeKey<String> ACTION = AttributeKey.stringKey("storage.action");

    private final Tracer tracer;

    StorageSpans(Tracer tracer) {
        this.tracer = tracer;
    }

    @Override
    public void observe(String driver, String action, long nanos, boolean failed) {
        Instant now = Instant.now();
        long endNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        Span span = tracer.spanBuilder("storage " + action)
                .setSpanKind(SpanKind.CLIENT)
                .setStartTimestamp(endNanos - nanos, TimeUnit.NANOSECONDS)
                .setAttribute(DRIVER, driver)
                .setAttribute(ACTION, action)
                .startSpan();
        if (failed) {
            span.setStatus(StatusCode.ERROR);
        }
        span.end(endNanos, TimeUnit.NANOSECONDS);
    }
}
