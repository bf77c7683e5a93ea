package io.entrepot.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrepot.config.HttpConfig;
import io.entrepot.config.LogConfig;
import io.entrepot.config.MetricsConfig;
import io.entrepot.config.RegistryConfig;
import io.entrepot.config.StorageConfig;
import io.entrepot.config.TracingConfig;
import io.entrepot.http.RegistryServer;
import io.entrepot.testing.RegistryClient;
import io.entrepot.testing.TestConfigs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** promtool's checks of the shipped Prometheus files and of a live scrape. */
class PromtoolTest {

    private static final Duration TIMEOUT = Duration.ofMinutes(1);
    private static final Path PROMETHEUS_DIR = Path.of("deploy/prometheus");

    @TempDir
    Path workDir;

    @Test
    void alertRules_passCheckAndUnitTests() {
        Path promtool = ExternalTools.require("promtool");

        String check = new String(Commands.run(TIMEOUT, promtool.toString(), "check", "rules",
                PROMETHEUS_DIR.resolve("alerts.yml").toString()), StandardCharsets.UTF_8);
        String tests = new String(Commands.run(TIMEOUT, promtool.toString(), "test", "rules",
                PROMETHEUS_DIR.resolve("alerts_test.yml").toString(), PROMETHEUS_DIR.resolve("alerts_gc_test.yml").toString()),
                StandardCharsets.UTF_8);

        assertThat(check).contains("SUCCESS: 6 rules found");
        assertThat(tests).contains("SUCCESS");
    }

    @Test
    void scrapeConfig_passesCheck() {
        Path promtool = ExternalTools.require("promtool");

        String check = new String(Commands.run(TIMEOUT, promtool.toString(), "check", "config",
                PROMETHEUS_DIR.resolve("prometheus.yml").toString()), StandardCharsets.UTF_8);

        assertThat(check).contains("is valid prometheus config file syntax");
    }

    @Test
    void liveScrape_passesCheckMetrics() throws Exception {
        Path promtool = ExternalTools.require("promtool");
        Path scrape = workDir.resolve("scrape.txt");
        try (RegistryServer server = RegistryServer.start(config())) {
            RegistryClient client = new RegistryClient(server.baseUri());
            client.pushBlob("lint/app", "blob".getBytes(StandardCharsets.UTF_8));
            client.get("v2/lint/app/manifests/missing");
            HttpResponse<Path> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.debugPort() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofFile(scrape));
            assertThat(response.statusCode()).isEqualTo(200);
        }

        // check metrics reads the scrape from its standard input and exits non-zero on any problem.
        Path output = workDir.resolve("promtool.out");
        Process process = new ProcessBuilder(promtool.toString(), "check", "metrics")
                .redirectInput(scrape.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        assertThat(process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("promtool check metrics:\n%s", Files.readString(output)).isZero();
    }

    private RegistryConfig config() {
        HttpConfig http = new HttpConfig("127.0.0.1:0", HttpConfig.Net.TCP, "/", null, false, Map.of(), Duration.ZERO,
                "127.0.0.1:0", HttpConfig.DEFAULT_MAX_MANIFEST_SIZE);
        StorageConfig storage = new StorageConfig(TestConfigs.filesystem(workDir.resolve("storage")), false,
                StorageConfig.UploadPurging.DEFAULT, false);
        return new RegistryConfig("0.1", LogConfig.DEFAULT, storage, http, MetricsConfig.DEFAULT, TracingConfig.DISABLED);
    }
}
