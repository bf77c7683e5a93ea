package io.entrepot.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entrepot.config.HttpConfig;
import io.entrepot.config.LogConfig;
import io.entrepot.config.MetricsConfig;
import io.entrepot.config.RegistryConfig;
import io.entrepot.config.StorageConfig;
import io.entrepot.config.TracingConfig;
import io.entrepot.http.RegistryServer;
import io.entrepot.testing.RegistryClient;
import io.entrepot.testing.TestConfigs;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two Entrepot instances sharing one storage, scraped by a real Prometheus on loopback with the
 * shipped alert rules loaded. Traffic goes through both, then the queries that operators use are
 * evaluated through Prometheus's HTTP API.
 */
class PrometheusScrapeTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path workDir;

    private final List<RegistryServer> registries = new ArrayList<>();
    private Process prometheus;
    private URI prometheusUri;

    @BeforeEach
    void start() throws Exception {
        Path program = ExternalTools.require("prometheus");
        for (int i = 0; i < 2; i++) {
            registries.add(RegistryServer.start(config(workDir.resolve("storage"))));
        }
        int port = freePort();
        prometheusUri = URI.create("http://127.0.0.1:" + port + "/");
        Path configFile = writePrometheusConfig();
        prometheus = new ProcessBuilder(program.toString(),
                "--config.file=" + configFile,
                "--storage.tsdb.path=" + workDir.resolve("tsdb"),
                "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn")
                .redirectErrorStream(true)
                .redirectOutput(workDir.resolve("prometheus.log").toFile())
                .start();
        awaitReady();
    }

    @AfterEach
    void stop() throws Exception {
        if (prometheus != null) {
            prometheus.destroy();
            if (!prometheus.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                prometheus.destroyForcibly().waitFor();
            }
        }
        for (RegistryServer registry : registries) {
            registry.close();
        }
    }

    @Test
    void operatorQueries_afterPushAndPull_returnSeries() throws Exception {
        // rate() sees only increases between two scrapes. A series that a request creates starts at
        // its first value, so the same traffic runs twice, with scrapes between the rounds.
        JsonNode up = awaitResult("up{job=\"entrepot\"} == 1", result -> result.size() == 2);
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < registries.size(); i++) {
                pushAndPull(registries.get(i), "team/app" + i);
            }
            Thread.sleep(2_500);
        }

        JsonNode rate = awaitResult("rate(registry_http_requests_total[1m])", result -> result.size() >= 2);
        JsonNode perInstance = awaitResult("sum by (instance) (rate(registry_http_requests_total[1m]))",
                result -> result.size() == 2 && allPositive(result));
        JsonNode p95 = awaitResult("histogram_quantile(0.95, sum by (le) (rate(registry_http_request_duration_seconds_bucket[1m])))",
                result -> result.size() == 1 && allPositive(result));
        JsonNode errors = awaitResult("(sum(rate(registry_http_requests_total{code=~\"5..\"}[1m])) or vector(0))"
                + " / sum(rate(registry_http_requests_total[1m]))", result -> result.size() == 1);
        JsonNode cache = awaitResult("sum(rate(registry_storage_cache_total{type=\"Hit\"}[1m]))"
                + " / sum(rate(registry_storage_cache_total{type=\"Request\"}[1m]))", result -> result.size() == 1);
        JsonNode topPulls = awaitResult("topk(10, sum by (repository) (registry_toppulls_pulls))", result -> result.size() == 2);
        JsonNode storage = awaitResult("max(registry_storage_used_bytes) / max(registry_storage_quota_bytes)",
                result -> result.size() == 1 && allPositive(result));

        assertThat(up).hasSize(2);
        assertThat(rate.get(0).path("metric").path("handler").asText()).isNotEmpty();
        assertThat(perInstance).extracting(series -> series.path("metric").path("instance").asText())
                .containsExactlyInAnyOrder(registries.stream().map(r -> "127.0.0.1:" + r.debugPort()).toArray(String[]::new));
        assertThat(value(p95.get(0))).isBetween(0.0, 60.0);
        assertThat(value(errors.get(0))).isZero();
        // No cache is configured, so Hit and Request are both zero and the ratio is 0/0.
        assertThat(cache.get(0).path("value").get(1).asText()).isEqualTo("NaN");
        assertThat(topPulls).extracting(series -> series.path("metric").path("repository").asText())
                .containsExactlyInAnyOrder("team/app0", "team/app1");
        assertThat(value(storage.get(0))).isBetween(0.0, 1.0);
    }

    @Test
    void alertRules_loadedByPrometheus() throws Exception {
        JsonNode rules = get("api/v1/rules").path("data").path("groups");

        List<String> names = new ArrayList<>();
        rules.forEach(group -> group.path("rules").forEach(rule -> names.add(rule.path("name").asText())));
        assertThat(names).containsExactlyInAnyOrder("EntrepotHighErrorRate", "EntrepotHighLatency", "EntrepotInstanceDown",
                "EntrepotStorageAboveQuota", "EntrepotCacheHitRateLow", "EntrepotGarbageCollectionStale");
    }

    /** Pushes a two-blob image, pulls its manifest twice and its layer once, and asks for a missing tag. */
    private static void pushAndPull(RegistryServer server, String repository) {
        RegistryClient client = new RegistryClient(server.baseUri());
        byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
        byte[] layer = ("layer of " + repository).getBytes(StandardCharsets.UTF_8);
        String configDigest = client.pushBlob(repository, config);
        String layerDigest = client.pushBlob(repository, layer);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + TestImages.OCI_MANIFEST + "\",\"config\":{\"mediaType\":"
                + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + configDigest + "\",\"size\":" + config.length
                + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"" + layerDigest
                + "\",\"size\":" + layer.length + "}]}").getBytes(StandardCharsets.UTF_8);

        assertThat(client.putManifest(repository, "v1", TestImages.OCI_MANIFEST, manifest).statusCode()).isEqualTo(201);
        assertThat(client.get("v2/" + repository + "/manifests/v1").statusCode()).isEqualTo(200);
        assertThat(client.get("v2/" + repository + "/manifests/v1").statusCode()).isEqualTo(200);
        assertThat(client.get("v2/" + repository + "/blobs/" + layerDigest).statusCode()).isEqualTo(200);
        assertThat(client.get("v2/" + repository + "/manifests/missing").statusCode()).isEqualTo(404);
    }

    /** Evaluates {@code query} until its result satisfies {@code done}, which takes a few 1-second scrapes. */
    private JsonNode awaitResult(String query, Predicate<JsonNode> done) throws Exception {
        long deadline = System.nanoTime() + QUERY_TIMEOUT.toNanos();
        JsonNode result = JSON.createArrayNode();
        while (System.nanoTime() < deadline) {
            JsonNode response = get("api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8));
            assertThat(response.path("status").asText()).as("status of %s: %s", query, response).isEqualTo("success");
            result = response.path("data").path("result");
            if (done.test(result)) {
                return result;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("no expected result within " + QUERY_TIMEOUT + " for " + query + "; last result: " + result
                + "\nprometheus log:\n" + Files.readString(workDir.resolve("prometheus.log")));
    }

    private static boolean allPositive(JsonNode result) {
        for (JsonNode series : result) {
            if (!(value(series) > 0)) {
                return false;
            }
        }
        return true;
    }

    private static double value(JsonNode series) {
        return Double.parseDouble(series.path("value").get(1).asText());
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(prometheusUri.resolve(path)).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

    private void awaitReady() throws Exception {
        long deadline = System.nanoTime() + QUERY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!prometheus.isAlive()) {
                throw new AssertionError("prometheus exited with " + prometheus.exitValue() + ":\n"
                        + Files.readString(workDir.resolve("prometheus.log")));
            }
            try {
                HttpResponse<Void> response = HTTP.send(HttpRequest.newBuilder(prometheusUri.resolve("-/ready")).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // Not listening yet.
            }
            Thread.sleep(200);
        }
        throw new AssertionError("prometheus not ready within " + QUERY_TIMEOUT);
    }

    private Path writePrometheusConfig() throws IOException {
        StringBuilder targets = new StringBuilder();
        for (RegistryServer registry : registries) {
            targets.append("          - 127.0.0.1:").append(registry.debugPort()).append('\n');
        }
        String config = """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files:
                  - %s
                scrape_configs:
                  - job_name: entrepot
                    static_configs:
                      - targets:
                %s""".formatted(Path.of("deploy/prometheus/alerts.yml").toAbsolutePath(), targets);
        Path file = workDir.resolve("prometheus.yml");
        Files.writeString(file, config);
        return file;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static RegistryConfig config(Path storageRoot) {
        HttpConfig http = new HttpConfig("127.0.0.1:0", HttpConfig.Net.TCP, "/", null, false, Map.of(), Duration.ZERO,
                "127.0.0.1:0", HttpConfig.DEFAULT_MAX_MANIFEST_SIZE);
        StorageConfig storage = new StorageConfig(TestConfigs.filesystem(storageRoot), false, StorageConfig.UploadPurging.DEFAULT, false);
        MetricsConfig metrics = new MetricsConfig(true, "/metrics", Duration.ofSeconds(1), 1L << 30, 10);
        return new RegistryConfig("0.1", LogConfig.DEFAULT, storage, http, metrics, TracingConfig.DISABLED);
    }
}
