package io.entrepot.tracing;

import io.entrepot.config.TracingConfig;
import io.entrepot.storage.StorageObserver;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OpenTelemetry tracing: a span per API request and per storage call, exported over OTLP/HTTP.
 *
 * <p>Off unless {@code tracing.otlp.endpoint} is set. Off, no SDK is created: the tracer is the
 * API's no-op tracer, whose spans record nothing, and storage calls get no observer at all.
 * The SDK is kept out of {@code GlobalOpenTelemetry}, so two servers in one JVM do not share it.
 */
public final class Tracing implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Tracing.class);
    private static final String INSTRUMENTATION_NAME = "io.entrepot";

    private final OpenTelemetrySdk sdk;
    private final Tracer tracer;
    private final TextMapPropagator propagator;

    private Tracing(OpenTelemetrySdk sdk, Tracer tracer, TextMapPropagator propagator) {
        this.sdk = sdk;
        this.tracer = tracer;
        this.propagator = propagator;
    }

    /** Tracing that records nothing. */
    public static Tracing disabled() {
        return new Tracing(null, OpenTelemetry.noop().getTracer(INSTRUMENTATION_NAME), TextMapPropagator.noop());
    }

    /** Starts the SDK and its exporter when {@code config} names an endpoint, or returns {@link #disabled()}. */
    public static Tracing start(TracingConfig config) {
        if (!config.enabled()) {
            return disabled();
        }
        OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder()
                .setEndpoint(config.otlpEndpoint().toString())
                .build();
        Resource resource = Resource.getDefault().merge(
                Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), config.serviceName())));
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .setResource(resource)
                // A request that arrives with a sampled traceparent is traced whatever the ratio.
                .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(config.samplingRatio())))
                .addSpanProcessor(BatchSpanProcessor.builder(exporter).build())
                .build();
        OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
                .setTracerProvider(provider)
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
                .build();
        log.atInfo().addKeyValue("endpoint", config.otlpEndpoint()).addKeyValue("sampling_ratio", config.samplingRatio())
                .log("tracing enabled");
        return new Tracing(sdk, sdk.getTracer(INSTRUMENTATION_NAME), sdk.getPropagators().getTextMapPropagator());
    }

    public boolean enabled() {
        return sdk != null;
    }

    public Tracer tracer() {
        return tracer;
    }

    /** Returns the propagator that reads a request's {@code traceparent} header; a no-op when tracing is off. */
    public TextMapPropagator propagator() {
        return propagator;
    }

    /** Returns an observer that records a span per storage call, or {@link StorageObserver#NONE} when tracing is off. */
    public StorageObserver storageObserver() {
        return sdk == null ? StorageObserver.NONE : new StorageSpans(tracer);
    }

    /** Exports the spans still buffered, waiting up to 5 seconds, then stops the exporter. */
    @Override
    public void close() {
        if (sdk == null) {
            return;
        }
        var result = sdk.getSdkTracerProvider().shutdown().join(5, TimeUnit.SECONDS);
        if (!result.isSuccess()) {
            log.warn("tracing shutdown did not finish exporting spans within 5 seconds");
        }
    }
}
