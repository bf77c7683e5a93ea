package io.entrepot.http;

import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Serves the metrics at {@code http.debug.prometheus.path} on the debug listener, in the format
 * the scraper's {@code Accept} header asks for: OpenMetrics, Prometheus protobuf, or the
 * Prometheus text format by default.
 */
final class MetricsHandler extends Handler.Abstract {

    private final PrometheusRegistry registry;
    private final String path;
    private final ExpositionFormats formats = ExpositionFormats.init();

    MetricsHandler(PrometheusRegistry registry, String path) {
        this.registry = registry;
        this.path = path;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws IOException {
        if (!path.equals(request.getHttpURI().getPath())) {
            return false;
        }
        if (!HttpMethod.GET.is(request.getMethod()) && !HttpMethod.HEAD.is(request.getMethod())) {
            response.setStatus(405);
            response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
            response.write(true, null, callback);
            return true;
        }

        ExpositionFormatWriter writer = formats.findWriter(request.getHeaders().get(HttpHeader.ACCEPT));
        // A scrape is a few hundred kilobytes at most, so it is written whole to send its length.
        ByteArrayOutputStream body = new ByteArrayOutputStream(64 * 1024);
        writer.write(body, registry.scrape());

        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, writer.getContentType());
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.size());
        boolean head = HttpMethod.HEAD.is(request.getMethod());
        response.write(true, head ? null : ByteBuffer.wrap(body.toByteArray()), callback);
        return true;
    }
}
