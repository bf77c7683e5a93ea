package io.entrepot.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entrepot.config.HttpConfig;
import io.entrepot.config.LogConfig;
import io.entrepot.config.RegistryConfig;
import io.entrepot.config.StorageConfig;
import io.entrepot.testing.RawHttp;
import io.entrepot.testing.TestConfigs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The debug listener on {@code http.debug.addr}, separate from the API port. */
class DebugListenerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path root;

    @Test
    void health_debugPort_returnsJson() throws Exception {
        try (RegistryServer server = RegistryServer.start(configWithDebugListener())) {
            RawHttp.Response response = RawHttp.send(server.debugPort(), "GET", "/debug/health", null);

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.headers()).containsIgnoringCase("Content-Type: application/json");
            JsonNode body = JSON.readTree(response.body());
            assertThat(body.path("storagedriver_filesystem").asText()).isEqualTo("ok");
            assertThat(body.path("readonly").asBoolean(true)).isFalse();
        }
    }

    @Test
    void health_apiPort_returnsNotFound() throws Exception {
        try (RegistryServer server = RegistryServer.start(configWithDebugListener())) {
            RawHttp.Response response = RawHttp.send(server.port(), "GET", "/debug/health", null);

            assertThat(server.debugPort()).isNotEqualTo(server.port());
            assertThat(response.status()).isEqualTo(404);
        }
    }

    @Test
    void debugPort_apiPath_returnsNotFound() throws Exception {
        try (RegistryServer server = RegistryServer.start(configWithDebugListener())) {
            RawHttp.Response response = RawHttp.send(server.debugPort(), "GET", "/v2/", null);

            assertThat(response.status()).isEqualTo(404);
        }
    }

    private RegistryConfig configWithDebugListener() {
        HttpConfig http = new HttpConfig("127.0.0.1:0", HttpConfig.Net.TCP, "/", null, false, Map.of(), Duration.ZERO,
                "127.0.0.1:0", HttpConfig.DEFAULT_MAX_MANIFEST_SIZE);
        StorageConfig storage = new StorageConfig(TestConfigs.filesystem(root), false, StorageConfig.UploadPurging.DEFAULT, false);
        return new RegistryConfig("0.1", LogConfig.DEFAULT, storage, http);
    }
}
