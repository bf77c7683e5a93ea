package io.entrepot.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entrepot.config.HttpConfig;
import io.entrepot.config.LogConfig;
import io.entrepot.config.MetricsConfig;
import io.entrepot.config.RegistryConfig;
import io.entrepot.config.StorageConfig;
import io.entrepot.config.TracingConfig;
import io.entrepot.registry.MediaTypes;
import io.entrepot.testing.RawHttp;
import io.entrepot.testing.RegistryClient;
import io.entrepot.testing.TestConfigs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The metrics endpoint on the debug listener, and the metrics that API traffic records. */
class MetricsEndpointTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path root;

    @Test
    void metrics_afterPushAndPull_exportsDistributionNames() throws Exception {
        try (RegistryServer server = RegistryServer.start(config(MetricsConfig.DEFAULT))) {
            pushAndPull(server, "team/app");

            String text = scrape(server, "/metrics", null).body();

            assertThat(text).contains("registry_http_requests_total{code=\"201\",handler=\"manifest\",method=\"PUT\"} 1");
            assertThat(text).contains("registry_http_requests_total{code=\"200\",handler=\"manifest\",method=\"GET\"} 2");
            assertThat(text).contains("registry_http_requests_total{code=\"404\",handler=\"manifest\",method=\"GET\"} 1");
            assertThat(text).contains("registry_http_requests_total{code=\"201\",handler=\"blob-upload\",method=\"POST\"} 2");
            assertThat(text).contains("registry_http_requests_total{code=\"202\",handler=\"blob-upload\",method=\"POST\"} 1");
            assertThat(text).contains("registry_http_requests_total{code=\"201\",handler=\"blob-upload-chunk\",method=\"PUT\"}");
            assertThat(text).contains("registry_http_requests_total{code=\"200\",handler=\"base\",method=\"GET\"} 1");
            assertThat(text).contains("registry_http_request_duration_seconds_bucket{handler=\"manifest\",method=\"GET\",le=\"+Inf\"} 3");
            assertThat(text).contains("registry_http_request_size_bytes_count{handler=\"blob-upload-chunk\"}");
            assertThat(text).contains("registry_http_response_size_bytes_count{handler=\"blob\"} 1");
            assertThat(text).contains("registry_http_in_flight_requests{handler=\"manifest\"} 0");
            assertThat(text).contains("registry_storage_action_seconds_count{action=\"PutContent\",driver=\"filesystem\"}");
            assertThat(text).contains("registry_storage_cache_total{type=\"Hit\"} 0");
            assertThat(text).contains("registry_manifests_pushed_total{media_type=\"" + MediaTypes.OCI_MANIFEST + "\"} 1");
            assertThat(text).contains("registry_manifests_pulled_total{media_type=\"" + MediaTypes.OCI_MANIFEST + "\"} 2");
            assertThat(text).contains("registry_toppulls_pulls{repository=\"team/app\"} 2");
            assertThat(text).contains("registry_blob_pulled_bytes_total 5");
            assertThat(text).as("no part buffer gauge without S3").doesNotContain("registry_storage_s3_part_buffer_bytes");
            assertThat(text).contains("registry_blob_pushed_bytes_total 12.0");
            assertThat(text).contains("registry_http_request_size_bytes_sum{handler=\"blob-upload-chunk\"} 5.0");
            assertThat(text).contains("jvm_memory_used_bytes{area=\"heap\"}");
            assertThat(text).contains("process_cpu_seconds_total");
        }
    }

    @Test
    void metrics_openMetricsAccept_servesOpenMetrics() throws Exception {
        try (RegistryServer server = RegistryServer.start(config(MetricsConfig.DEFAULT))) {
            HttpResponse<String> response = scrape(server, "/metrics", "application/openmetrics-text; version=1.0.0");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/openmetrics-text"));
            assertThat(response.body()).endsWith("# EOF\n");
        }
    }

    @Test
    void metrics_noAcceptHeader_servesPrometheusText() throws Exception {
        try (RegistryServer server = RegistryServer.start(config(MetricsConfig.DEFAULT))) {
            new RegistryClient(server.baseUri()).get("v2/");
            HttpResponse<String> response = scrape(server, "/metrics", null);

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("text/plain; version=0.0.4"));
            assertThat(response.body()).contains("# TYPE registry_http_requests_total counter");
        }
    }

    @Test
    void metrics_customPath_servedThereOnly() throws Exception {
        MetricsConfig metrics = new MetricsConfig(true, "/internal/metrics", Duration.ZERO, 0, 10);
        try (RegistryServer server = RegistryServer.start(config(metrics))) {
            assertThat(scrape(server, "/internal/metrics", null).statusCode()).isEqualTo(200);
            assertThat(scrape(server, "/metrics", null).statusCode()).isEqualTo(404);
        }
    }

    @Test
    void metrics_disabled_notFoundButHealthServed() throws Exception {
        MetricsConfig metrics = new MetricsConfig(false, "/metrics", Duration.ZERO, 0, 10);
        try (RegistryServer server = RegistryServer.start(config(metrics))) {
            assertThat(scrape(server, "/metrics", null).statusCode()).isEqualTo(404);
            assertThat(scrape(server, TopPullsHandler.PATH, null).statusCode()).isEqualTo(404);
            assertThat(scrape(server, "/debug/health", null).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void metrics_post_methodNotAllowed() throws Exception {
        try (RegistryServer server = RegistryServer.start(config(MetricsConfig.DEFAULT))) {
            RawHttp.Response response = RawHttp.send(server.debugPort(), "POST", "/metrics", new byte[0]);

            assertThat(response.status()).isEqualTo(405);
            assertThat(response.headers()).containsIgnoringCase("Allow: GET, HEAD");
        }
    }

    @Test
    void metrics_apiPort_notFound() throws Exception {
        try (RegistryServer server = RegistryServer.start(config(MetricsConfig.DEFAULT))) {
            RawHttp.Response response = RawHttp.send(server.port(), "GET", "/metrics", null);

            assertThat(response.status()).isEqualTo(404);
        }
    }

    @Test
    void metrics_unknownApiPath_countedUnderNotFoundHandler() throws Exception {
        try (RegistryServer server = RegistryServer.start(config(MetricsConfig.DEFAULT))) {
            RawHttp.send(server.port(), "GET", "/v2/some/thing/else/entirely", null);
            RawHttp.send(server.port(), "GET", "/v2/INVALID/manifests/latest", null);

            String text = scrape(server, "/metrics", null).body();

            assertThat(text).contains("registry_http_requests_total{code=\"404\",handler=\"notfound\",method=\"GET\"} 1");
            assertThat(text).contains("registry_http_requests_total{code=\"400\",handler=\"manifest\",method=\"GET\"} 1");
        }
    }

    @Test
    void topPulls_afterPulls_listsRepositoriesMostPulledFirst() throws Exception {
        try (RegistryServer server = RegistryServer.start(config(MetricsConfig.DEFAULT))) {
            pushAndPull(server, "popular/app");
            pushAndPull(server, "quiet/app");
            RegistryClient client = new RegistryClient(server.baseUri());
            client.get("v2/popular/app/manifests/v1");

            HttpResponse<String> response = scrape(server, TopPullsHandler.PATH, null);
            JsonNode body = JSON.readTree(response.body());

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(body.path("size").asInt()).isEqualTo(MetricsConfig.DEFAULT_TOP_PULLS_SIZE);
            assertThat(body.path("repositories")).hasSize(2);
            assertThat(body.path("repositories").get(0).path("repository").asText()).isEqualTo("popular/app");
            assertThat(body.path("repositories").get(0).path("pulls").asLong()).isEqualTo(3);
            assertThat(body.path("repositories").get(0).path("error").asLong()).isZero();
            assertThat(body.path("repositories").get(1).path("repository").asText()).isEqualTo("quiet/app");
        }
    }

    @Test
    void storageUsage_afterPush_gaugesCountBlobsAndRepositories() throws Exception {
        MetricsConfig metrics = new MetricsConfig(true, "/metrics", Duration.ofSeconds(1), 1_000_000, 10);
        try (RegistryServer server = RegistryServer.start(config(metrics))) {
            pushAndPull(server, "team/app");
            RegistryClient client = new RegistryClient(server.baseUri());
            client.send("POST", "v2/team/other/blobs/uploads/", null);

            String text = "";
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (System.nanoTime() < deadline && !text.contains("registry_uploads_in_progress 1")) {
                Thread.sleep(200);
                text = scrape(server, "/metrics", null).body();
            }

            assertThat(text).contains("registry_storage_repositories 1");
            assertThat(text).contains("registry_storage_blobs 3");
            assertThat(text).containsPattern("registry_storage_used_bytes [1-9]");
            assertThat(text).contains("registry_uploads_in_progress 1");
            assertThat(text).contains("registry_storage_quota_bytes 1000000");
        }
    }

    /**
     * Pushes a config, a 5-byte layer and a manifest tagged v1, the layer twice (whole, then in a
     * POST and a PUT), then pulls the manifest twice and the layer once.
     */
    static void pushAndPull(RegistryServer server, String repository) {
        RegistryClient client = new RegistryClient(server.baseUri());
        client.get("v2/");
        byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
        byte[] layer = "layer".getBytes(StandardCharsets.UTF_8);
        String configDigest = client.pushBlob(repository, config);
        String layerDigest = client.pushBlob(repository, layer);
        HttpResponse<byte[]> started = client.send("POST", "v2/" + repository + "/blobs/uploads/", null);
        String location = started.headers().firstValue("Location").orElseThrow();
        String completeUrl = location + (location.contains("?") ? "&" : "?") + "digest=" + layerDigest;
        assertThat(client.send("PUT", completeUrl, layer, "Content-Type", "application/octet-stream").statusCode()).isEqualTo(201);
        byte[] manifest = RegistryApiContractTest.ociManifest(configDigest, config.length, layerDigest, layer.length, null, null);

        assertThat(client.putManifest(repository, "v1", MediaTypes.OCI_MANIFEST, manifest).statusCode()).isEqualTo(201);
        assertThat(client.get("v2/" + repository + "/manifests/v1").statusCode()).isEqualTo(200);
        assertThat(client.get("v2/" + repository + "/manifests/" + RegistryClient.sha256(manifest)).statusCode()).isEqualTo(200);
        assertThat(client.get("v2/" + repository + "/manifests/missing").statusCode()).isEqualTo(404);
        assertThat(client.get("v2/" + repository + "/blobs/" + layerDigest).statusCode()).isEqualTo(200);
    }

    static HttpResponse<String> scrape(RegistryServer server, String path, String accept) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.debugPort() + path));
        if (accept != null) {
            request.header("Accept", accept);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private RegistryConfig config(MetricsConfig metrics) {
        HttpConfig http = new HttpConfig("127.0.0.1:0", HttpConfig.Net.TCP, "/", null, false, Map.of(), Duration.ZERO,
                "127.0.0.1:0", HttpConfig.DEFAULT_MAX_MANIFEST_SIZE);
        StorageConfig storage = new StorageConfig(TestConfigs.filesystem(root), false, StorageConfig.UploadPurging.DEFAULT, false);
        return new RegistryConfig("0.1", LogConfig.DEFAULT, storage, http, metrics, TracingConfig.DISABLED);
    }
}
