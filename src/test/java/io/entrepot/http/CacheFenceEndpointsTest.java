package io.entrepot.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entrepot.config.CacheConfig;
import io.entrepot.config.HealthConfig;
import io.entrepot.config.HttpConfig;
import io.entrepot.config.LogConfig;
import io.entrepot.config.MetricsConfig;
import io.entrepot.config.RedisConfig;
import io.entrepot.config.RegistryConfig;
import io.entrepot.config.StorageConfig;
import io.entrepot.config.TracingConfig;
import io.entrepot.registry.CollectionEpoch;
import io.entrepot.storage.filesystem.FilesystemDriver;
import io.entrepot.testing.RawHttp;
import io.entrepot.testing.TestConfigs;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cache fence state in {@code registry_storage_cache_fenced}, {@code /debug/health} and
 * {@code /debug/cache}, while a collection marker is in storage and after it is lowered.
 */
class CacheFenceEndpointsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern FENCED_GAUGE = Pattern.compile("(?m)^registry_storage_cache_fenced ([0-9.]+)$");
    private static final Duration WAIT = Duration.ofMinutes(1);

    @TempDir
    Path root;

    @Test
    void sweepingMarker_reportedFencedThenOpenAfterIdle() throws Exception {
        try (RegistryServer server = RegistryServer.start(config(CacheConfig.BlobDescriptor.INMEMORY))) {
            awaitFence(server, "open", 0);
            CollectionEpoch epoch = new CollectionEpoch(new FilesystemDriver(root, FilesystemDriver.DEFAULT_MAX_THREADS));

            // The instance keeps this marker for CollectionEpoch.STALE_LIMIT, far longer than the wait below.
            epoch.publish(true, Instant.now());
            awaitFence(server, "sweeping", 1);
            RawHttp.Response health = RawHttp.send(server.debugPort(), "GET", "/debug/health", null);
            assertThat(health.status()).as("a fenced cache still answers correctly, so health passes").isEqualTo(200);
            assertThat(RawHttp.send(server.port(), "GET", "/readyz", null).status()).as("readiness while fenced").isEqualTo(200);

            epoch.publish(false, Instant.now());
            awaitFence(server, "open", 0);
        }
    }

    @Test
    void noCache_reportedNone() throws Exception {
        try (RegistryServer server = RegistryServer.start(config(CacheConfig.BlobDescriptor.NONE))) {
            JsonNode health = JSON.readTree(RawHttp.send(server.debugPort(), "GET", "/debug/health", null).body());
            JsonNode cache = JSON.readTree(RawHttp.send(server.debugPort(), "GET", "/debug/cache", null).body());

            assertThat(health.path("cachefence").asText()).isEqualTo("none");
            assertThat(cache.path("fence").asText()).isEqualTo("none");
            assertThat(fencedGauge(server)).isZero();
        }
    }

    /** Waits until /debug/health, /debug/cache and the gauge all report {@code state}, failing after {@link #WAIT}. */
    private static void awaitFence(RegistryServer server, String state, int gauge) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        String seen = "";
        while (System.nanoTime() < deadline) {
            JsonNode health = JSON.readTree(RawHttp.send(server.debugPort(), "GET", "/debug/health", null).body());
            JsonNode cache = JSON.readTree(RawHttp.send(server.debugPort(), "GET", "/debug/cache", null).body());
            double gaugeValue = fencedGauge(server);
            seen = "health " + health + ", cache " + cache + ", gauge " + gaugeValue;
            if (health.path("cachefence").asText().equals(state) && cache.path("fence").asText().equals(state)
                    && gaugeValue == gauge) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("cache fence never reported " + state + " within " + WAIT + "; last seen: " + seen);
    }

    private static double fencedGauge(RegistryServer server) throws Exception {
        String metrics = RawHttp.send(server.debugPort(), "GET", "/metrics", null).body();
        Matcher matcher = FENCED_GAUGE.matcher(metrics);
        assertThat(matcher.find()).as("registry_storage_cache_fenced in the metrics").isTrue();
        return Double.parseDouble(matcher.group(1));
    }

    private RegistryConfig config(CacheConfig.BlobDescriptor cache) {
        HttpConfig http = new HttpConfig("127.0.0.1:0", HttpConfig.Net.TCP, "/", null, false, Map.of(), Duration.ZERO,
                "127.0.0.1:0", HttpConfig.DEFAULT_MAX_MANIFEST_SIZE);
        StorageConfig storage = new StorageConfig(TestConfigs.filesystem(root), false, StorageConfig.UploadPurging.DEFAULT, false);
        return new RegistryConfig("0.1", LogConfig.DEFAULT, storage, http, MetricsConfig.DEFAULT, TracingConfig.DISABLED,
                new CacheConfig(cache, 1000), RedisConfig.NONE, HealthConfig.DEFAULT);
    }
}
