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

/** Read-only mode switched at run time on the debug listener, as clients of the API see it. */
class ReadOnlyModeTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path root;

    @Test
    void readOnlySwitch_blocksWritesButNotReads() throws Exception {
        try (RegistryServer server = RegistryServer.start(config(false))) {
            RawHttp.Response enabled = RawHttp.send(server.debugPort(), "PUT", "/debug/readonly", null);
            RawHttp.Response upload = RawHttp.send(server.port(), "POST", "/v2/team/app/blobs/uploads/", null);
            RawHttp.Response base = RawHttp.send(server.port(), "GET", "/v2/", null);
            RawHttp.Response health = RawHttp.send(server.debugPort(), "GET", "/debug/health", null);

            assertThat(enabled.status()).isEqualTo(200);
            assertThat(JSON.readTree(enabled.body()).path("readonly").asBoolean()).isTrue();
            assertThat(upload.status()).isEqualTo(405);
            JsonNode error = JSON.readTree(upload.body()).path("errors").path(0);
            assertThat(error.path("code").asText()).isEqualTo("UNSUPPORTED");
            assertThat(error.path("message").asText()).contains("read-only");
            assertThat(base.status()).isEqualTo(200);
            assertThat(JSON.readTree(health.body()).path("readonly").asBoolean()).isTrue();
        }
    }

    @Test
    void readOnlySwitch_deleteMakesWritable() throws Exception {
        try (RegistryServer server = RegistryServer.start(config(true))) {
            RawHttp.Response before = RawHttp.send(server.port(), "POST", "/v2/team/app/blobs/uploads/", null);
            RawHttp.Response disabled = RawHttp.send(server.debugPort(), "DELETE", "/debug/readonly", null);
            RawHttp.Response after = RawHttp.send(server.port(), "POST", "/v2/team/app/blobs/uploads/", null);
            RawHttp.Response state = RawHttp.send(server.debugPort(), "GET", "/debug/readonly", null);

            assertThat(before.status()).isEqualTo(405);
            assertThat(disabled.status()).isEqualTo(200);
            assertThat(after.status()).isEqualTo(202);
            assertThat(JSON.readTree(state.body()).path("readonly").asBoolean(true)).isFalse();
        }
    }

    @Test
    void readOnlySwitch_reportedInMetrics() throws Exception {
        try (RegistryServer server = RegistryServer.start(config(false))) {
            String before = RawHttp.send(server.debugPort(), "GET", "/metrics", null).body();
            RawHttp.send(server.debugPort(), "PUT", "/debug/readonly", null);
            String after = RawHttp.send(server.debugPort(), "GET", "/metrics", null).body();

            assertThat(before).contains("registry_readonly 0.0");
            assertThat(after).contains("registry_readonly 1.0");
        }
    }

    @Test
    void readOnlySwitch_otherMethod_isRejected() throws Exception {
        try (RegistryServer server = RegistryServer.start(config(false))) {
            RawHttp.Response response = RawHttp.send(server.debugPort(), "POST", "/debug/readonly", null);
            RawHttp.Response upload = RawHttp.send(server.port(), "POST", "/v2/team/app/blobs/uploads/", null);

            assertThat(response.status()).isEqualTo(405);
            assertThat(response.headers()).containsIgnoringCase("Allow: GET, HEAD, PUT, DELETE");
            assertThat(upload.status()).isEqualTo(202);
        }
    }

    @Test
    void readOnlySwitch_apiPort_isNotServed() throws Exception {
        try (RegistryServer server = RegistryServer.start(config(false))) {
            RawHttp.Response response = RawHttp.send(server.port(), "PUT", "/debug/readonly", null);

            assertThat(response.status()).isEqualTo(404);
        }
    }

    private RegistryConfig config(boolean readOnly) {
        HttpConfig http = new HttpConfig("127.0.0.1:0", HttpConfig.Net.TCP, "/", null, false, Map.of(), Duration.ZERO,
                "127.0.0.1:0", HttpConfig.DEFAULT_MAX_MANIFEST_SIZE);
        StorageConfig storage = new StorageConfig(TestConfigs.filesystem(root), false, StorageConfig.UploadPurging.DEFAULT, readOnly);
        return new RegistryConfig("0.1", LogConfig.DEFAULT, storage, http);
    }
}
