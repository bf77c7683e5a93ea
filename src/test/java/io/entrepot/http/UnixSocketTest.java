package io.entrepot.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrepot.config.HttpConfig;
import io.entrepot.config.RegistryConfig;
import io.entrepot.config.StorageConfig;
import io.entrepot.testing.TestConfigs;
import java.io.ByteArrayOutputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code http.net: unix}: the API on a Unix domain socket, as distribution offers it. */
class UnixSocketTest {

    @TempDir
    Path tempDir;

    @Test
    void unixSocket_servesApi() throws Exception {
        Path socket = tempDir.resolve("registry.sock");
        HttpConfig http = new HttpConfig(socket.toString(), HttpConfig.Net.UNIX, "/", null, false, Map.of(), Duration.ZERO, null,
                HttpConfig.DEFAULT_MAX_MANIFEST_SIZE);
        RegistryConfig config = TestConfigs.withHttp(new StorageConfig.InMemory(), false, http);

        try (RegistryServer server = RegistryServer.start(config)) {
            String response = request(socket, "GET /v2/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");

            assertThat(server.port()).isEqualTo(-1);
            assertThat(response).startsWith("HTTP/1.1 200");
            assertThat(response).contains("Docker-Distribution-API-Version: registry/2.0");
        }
    }

    private static String request(Path socket, String request) throws Exception {
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            channel.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.ISO_8859_1)));
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(4096);
            while (channel.read(buffer) > 0) {
                response.write(buffer.array(), 0, buffer.position());
                buffer.clear();
            }
            return response.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
