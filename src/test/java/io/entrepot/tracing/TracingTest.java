package io.entrepot.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.entrepot.config.HttpConfig;
import io.entrepot.config.LogConfig;
import io.entrepot.config.MetricsConfig;
import io.entrepot.config.RegistryConfig;
import io.entrepot.config.StorageConfig;
import io.entrepot.config.TracingConfig;
import io.entrepot.http.RegistryServer;
import io.entrepot.storage.StorageObserver;
import io.entrepot.testing.RegistryClient;
import io.entrepot.testing.TestConfigs;
import io.opentelemetry.api.trace.Span;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Spans exported over OTLP/HTTP to a loopback receiver when an endpoint is set, and nothing otherwise. */
class TracingTest {

    /** One OTLP/HTTP export request as the receiver saw it. */
    private record Export(String contentType, int bytes) {}

    @TempDir
    Path root;

    private HttpServer receiver;
    private final List<Export> exports = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startReceiver() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/v1/traces", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            exports.add(new Export(exchange.getRequestHeaders().getFirst("Content-Type"), body.length));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.start();
    }

    @AfterEach
    void stopReceiver() {
        receiver.stop(0);
    }

    @Test
    void endpointSet_requestSpansExportedAsProtobuf() throws Exception {
        URI endpoint = URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/v1/traces");
        try (RegistryServer server = RegistryServer.start(config(new TracingConfig(endpoint, "entrepot-test", 1.0)))) {
            RegistryClient client = new RegistryClient(server.baseUri());
            client.pushBlob("traced/app", "traced".getBytes(StandardCharsets.UTF_8));
            client.get("v2/traced/app/manifests/missing");
        }

        // Closing the server flushes the batch of spans, so the export has arrived by now.
        assertThat(exports).isNotEmpty();
        assertThat(exports.get(0).contentType()).isEqualTo("application/x-protobuf");
        assertThat(exports.get(0).bytes()).isPositive();
    }

    @Test
    void noEndpoint_nothingExportedAndNoSdk() throws Exception {
        try (RegistryServer server = RegistryServer.start(config(TracingConfig.DISABLED))) {
            new RegistryClient(server.baseUri()).get("v2/");
        }
        Tracing tracing = Tracing.start(TracingConfig.DISABLED);

        assertThat(exports).isEmpty();
        assertThat(tracing.enabled()).isFalse();
        assertThat(tracing.storageObserver()).isSameAs(StorageObserver.NONE);
        Span span = tracing.tracer().spanBuilder("unused").startSpan();
        assertThat(span.getSpanContext().isValid()).as("a no-op span has no valid context").isFalse();
        span.end();
    }

    @Test
    void unreachableEndpoint_requestsStillServed() throws Exception {
        receiver.stop(0);
        URI endpoint = URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/v1/traces");
        try (RegistryServer server = RegistryServer.start(config(new TracingConfig(endpoint, "entrepot-test", 1.0)))) {
            assertThat(new RegistryClient(server.baseUri()).get("v2/").statusCode()).isEqualTo(200);
        }
    }

    private RegistryConfig config(TracingConfig tracing) {
        HttpConfig http = new HttpConfig("127.0.0.1:0", HttpConfig.Net.TCP, "/", null, false, Map.of(), Duration.ZERO,
                null, HttpConfig.DEFAULT_MAX_MANIFEST_SIZE);
        StorageConfig storage = new StorageConfig(TestConfigs.filesystem(root), false, StorageConfig.UploadPurging.DEFAULT, false);
        return new RegistryConfig("0.1", LogConfig.DEFAULT, storage, http, MetricsConfig.DEFAULT, tracing);
    }
}
