package io.entrepot.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.entrepot.config.CacheConfig;
import io.entrepot.config.HealthConfig;
import io.entrepot.config.HttpConfig;
import io.entrepot.config.RedisConfig;
import io.entrepot.config.RegistryConfig;
import io.entrepot.testing.RawHttp;
import io.entrepot.testing.ServerProcess;
import io.entrepot.testing.TestConfigs;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /livez, /readyz and /debug/health with the checks of the health section. */
class HealthEndpointsTest {

    private static final Duration FAST = Duration.ofMillis(100);

    @TempDir
    Path root;

    private RegistryConfig config(HealthConfig health) {
        RegistryConfig base = TestConfigs.config(TestConfigs.filesystem(root.resolve("storage")), false);
        HttpConfig http = base.http();
        HttpConfig withDebug = new HttpConfig(http.addr(), http.net(), http.prefix(), http.host(), http.relativeUrls(), http.headers(),
                http.drainTimeout(), "127.0.0.1:0", http.maxManifestSize());
        return new RegistryConfig(base.version(), base.log(), base.storage(), withDebug, base.metrics(), base.tracing(), CacheConfig.NONE, RedisConfig.NONE, health);
    }

    private static HealthConfig checks(List<HealthConfig.FileCheck> files, List<HealthConfig.HttpCheck> http, List<HealthConfig.TcpCheck> tcp) {
        return new HealthConfig(new HealthConfig.StorageDriverCheck(true, FAST, 1), files, http, tcp);
    }

    @Test
    void healthy_livezAndReadyz_okOnBothListeners() throws Exception {
        try (RegistryServer server = RegistryServer.start(config(HealthConfig.DEFAULT))) {
            for (int port : new int[] {server.port(), server.debugPort()}) {
                assertThat(RawHttp.send(port, "GET", "/livez", null).status()).isEqualTo(200);
                RawHttp.Response ready = RawHttp.send(port, "GET", "/readyz", null);
                assertThat(ready.status()).isEqualTo(200);
                assertThat(ready.body()).contains("\"status\":\"ready\"");
            }
            assertThat(RawHttp.send(server.debugPort(), "GET", "/debug/health", null).body())
                    .contains("\"storagedriver_filesystem\":\"ok\"");
        }
    }

    @Test
    void fileCheck_fileExists_notReadyUntilRemoved() throws Exception {
        Path maintenance = root.resolve("maintenance");
        HealthConfig health = checks(List.of(new HealthConfig.FileCheck(maintenance.toString(), FAST)), List.of(), List.of());
        try (RegistryServer server = RegistryServer.start(config(health))) {
            awaitStatus(server.port(), "/readyz", 200);

            Files.createFile(maintenance);
            RawHttp.Response notReady = awaitStatus(server.port(), "/readyz", 503);

            assertThat(notReady.body()).contains(maintenance.toString());
            assertThat(RawHttp.send(server.port(), "GET", "/livez", null).status()).isEqualTo(200);
            assertThat(RawHttp.send(server.port(), "GET", "/v2/", null).status()).isEqualTo(200);
            assertThat(RawHttp.send(server.debugPort(), "GET", "/debug/health", null).status()).isEqualTo(503);

            Files.delete(maintenance);
            awaitStatus(server.port(), "/readyz", 200);
        }
    }

    @Test
    void tcpCheck_closedPort_notReadyAfterThreshold() throws Exception {
        int closedPort = ServerProcess.freePort();
        HealthConfig health = checks(List.of(), List.of(),
                List.of(new HealthConfig.TcpCheck("127.0.0.1:" + closedPort, FAST, FAST, 2)));
        try (RegistryServer server = RegistryServer.start(config(health))) {
            RawHttp.Response notReady = awaitStatus(server.port(), "/readyz", 503);

            assertThat(notReady.body()).contains("127.0.0.1:" + closedPort);
        }
    }

    @Test
    void httpCheck_wrongStatus_notReady_thenRecovers() throws Exception {
        HttpServer upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        int[] status = {500};
        upstream.createContext("/", exchange -> {
            exchange.sendResponseHeaders(status[0], -1);
            exchange.close();
        });
        upstream.start();
        String uri = "http://127.0.0.1:" + upstream.getAddress().getPort() + "/ok";
        HealthConfig health = checks(List.of(), List.of(new HealthConfig.HttpCheck(uri, Map.of(), 200, Duration.ofSeconds(2), FAST, 1)), List.of());
        try (RegistryServer server = RegistryServer.start(config(health))) {
            RawHttp.Response notReady = awaitStatus(server.port(), "/readyz", 503);
            assertThat(notReady.body()).contains("status 500, expected 200");

            status[0] = 200;
            awaitStatus(server.port(), "/readyz", 200);
        } finally {
            upstream.stop(0);
        }
    }

    @Test
    void healthPaths_underPrefix_notServedAsApi() throws Exception {
        try (RegistryServer server = RegistryServer.start(config(HealthConfig.DEFAULT))) {
            assertThat(RawHttp.send(server.port(), "GET", "/debug/health", null).status()).isEqualTo(404);
            assertThat(RawHttp.send(server.port(), "GET", "/v2/livez", null).status()).isEqualTo(404);
        }
    }

    private static RawHttp.Response awaitStatus(int port, String path, int expected) throws Exception {
        Instant deadline = Instant.now().plusSeconds(10);
        while (true) {
            RawHttp.Response response = RawHttp.send(port, "GET", path, null);
            if (response.status() == expected) {
                return response;
            }
            assertThat(Instant.now()).as("%s still %d, body %s", path, response.status(), response.body()).isBefore(deadline);
            Thread.sleep(50);
        }
    }
}
