package io.entrepot.http;

import io.entrepot.metrics.HttpMetrics;
import io.entrepot.tracing.Tracing;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Set;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Records each request of the main listener in three places: one access log line, the
 * {@code registry_http_*} metrics under the request's {@code handler} label, and a server span.
 * The API and the token endpoint share it, so both appear the same way in logs and dashboards.
 *
 * <p>The access line prints the query with the value of every parameter outside
 * {@link #LOGGED_PARAMETERS} replaced by {@value #MASK}. A client that puts a password or token
 * in a URL, where no specification puts one, therefore leaves no secret in the log.
 */
final class RequestRecorder {

    private static final Logger log = LoggerFactory.getLogger(RequestRecorder.class);
    private static final Logger accessLog = LoggerFactory.getLogger("io.entrepot.access");

    private static final AttributeKey<String> HTTP_METHOD = AttributeKey.stringKey("http.request.method");
    private static final AttributeKey<String> HTTP_ROUTE = AttributeKey.stringKey("http.route");
    private static final AttributeKey<Long> HTTP_STATUS = AttributeKey.longKey("http.response.status_code");

    static final String MASK = "*****";

    /**
     * The query parameters whose values the access log prints: those of the distribution API
     * ({@code digest}, {@code mount}, {@code from}, {@code n}, {@code last}, {@code artifactType})
     * and of a token request ({@code service}, {@code scope}, {@code account}, {@code client_id},
     * {@code offline_token}). None of them carries a credential.
     */
    static final Set<String> LOGGED_PARAMETERS = Set.of("digest", "mount", "from", "n", "last", "artifactType",
            "service", "scope", "account", "client_id", "offline_token");

    private final HttpMetrics metrics;
    private final Tracer tracer;
    private final TextMapPropagator propagator;

    RequestRecorder(HttpMetrics metrics, Tracing tracing) {
        this.metrics = metrics;
        this.tracer = tracing.tracer();
        this.propagator = tracing.propagator();
    }

    /**
     * Counts {@code request} as in flight and opens its span. The caller must end both by calling
     * {@link Recording#finish} exactly once.
     *
     * @param handler the bounded {@code handler} label, such as {@code manifest} or {@code token}
     */
    Recording start(Request request, String handler) {
        metrics.started(handler);
        Context parent = propagator.extract(Context.root(), request.getHeaders(), HEADER_GETTER);
        Span span = tracer.spanBuilder(request.getMethod() + " " + handler)
                .setParent(parent)
                .setSpanKind(SpanKind.SERVER)
                .setAttribute(HTTP_METHOD, request.getMethod())
                .setAttribute(HTTP_ROUTE, handler)
                .startSpan();
        return new Recording(request, handler, System.nanoTime(), span);
    }

    /** One request being recorded. */
    final class Recording {

        private final Request request;
        private final String handler;
        private final long start;
        private final Span span;

        private Recording(Request request, String handler, long start, Span span) {
            this.request = request;
            this.handler = handler;
            this.start = start;
            this.span = span;
        }

        /** Makes the request's span current, so that storage spans become its children. */
        Scope makeCurrent() {
            return span.makeCurrent();
        }

        /**
         * Writes the access line, records the metrics and ends the span. The request id and the
         * user come from the MDC. Call it before the callback completes the response, so that
         * a client that reads the metrics right after an empty response finds its request counted.
         *
         * @param requestBytes the request body bytes the handler read
         * @param failure what the handler threw, or null
         * @return the status the client received: 500 when the handler failed before responding
         */
        int finish(Response response, long requestBytes, Throwable failure) {
            int status = failure != null && !response.isCommitted() ? 500 : response.getStatus();
            long nanos = System.nanoTime() - start;
            long responseBytes = Response.getContentBytesWritten(response);
            logAccess(status, responseBytes, nanos, failure);
            metrics.finished(handler, request.getMethod(), status, nanos, requestBytes, responseBytes);
            span.setAttribute(HTTP_STATUS, status);
            if (status >= 500 || failure != null) {
                span.setStatus(StatusCode.ERROR);
            }
            span.end();
            return status;
        }

        private void logAccess(int status, long responseBytes, long nanos, Throwable failure) {
            String path = loggedPath(request.getHttpURI().getPath(), request.getHttpURI().getQuery());
            if (failure != null) {
                log.warn("response aborted: {} {}: {}", request.getMethod(), path, failure.toString());
            }
            accessLog.atInfo()
                    .addKeyValue("method", request.getMethod())
                    .addKeyValue("path", path)
                    .addKeyValue("status", status)
                    .addKeyValue("bytes", responseBytes)
                    .addKeyValue("duration_ms", nanos / 1000 / 1000.0)
                    .addKeyValue("remote", ClientAddress.of(request))
                    .addKeyValue("user", Objects.requireNonNullElse(MDC.get("user"), ""))
                    .addKeyValue("user_agent", Objects.requireNonNullElse(request.getHeaders().get(HttpHeader.USER_AGENT), ""))
                    .log("request");
        }
    }

    /**
     * Returns {@code path} followed by {@code rawQuery} as sent, except that the value of every
     * parameter outside {@link #LOGGED_PARAMETERS} is {@value #MASK}. A parameter without a value
     * or whose name does not decode is masked whole.
     */
    static String loggedPath(String path, String rawQuery) {
        if (rawQuery == null) {
            return path;
        }
        StringBuilder logged = new StringBuilder(path).append('?');
        String[] pairs = rawQuery.split("&", -1);
        for (int i = 0; i < pairs.length; i++) {
            if (i > 0) {
                logged.append('&');
            }
            logged.append(loggedPair(pairs[i]));
        }
        return logged.toString();
    }

    private static String loggedPair(String pair) {
        if (pair.isEmpty()) {
            return pair;
        }
        int equals = pair.indexOf('=');
        String rawName = equals < 0 ? pair : pair.substring(0, equals);
        String name;
        try {
            name = URLDecoder.decode(rawName, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return MASK;
        }
        if (LOGGED_PARAMETERS.contains(name)) {
            return pair;
        }
        // A bare word may itself be a token, so it is masked as well.
        return equals < 0 ? MASK : rawName + "=" + MASK;
    }

    /** Reads a request's trace context headers, such as {@code traceparent}. */
    private static final TextMapGetter<HttpFields> HEADER_GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(HttpFields headers) {
            return headers.getFieldNamesCollection();
        }

        @Override
        public String get(HttpFields headers, String key) {
            return headers == null ? null : headers.get(key);
        }
    };
}
