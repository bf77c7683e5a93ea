package io.entrepot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrepot.testing.ServerProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGUSR1 and SIGUSR2, sent with kill to a real server process, switch read-only mode on and off. */
class ReadOnlySignalTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void usr1ThenUsr2_switchesReadOnlyOnAndOff() throws Exception {
        int port = ServerProcess.freePort();
        int debugPort = ServerProcess.freePort();
        Path config = dir.resolve("config.yml");
        Files.writeString(config, """
                version: 0.1
                storage:
                  filesystem: {rootdirectory: %s}
                http: {addr: 127.0.0.1:%d, debug: {addr: 127.0.0.1:%d}}
                """.formatted(dir.resolve("root"), port, debugPort));
        URI debug = URI.create("http://127.0.0.1:" + debugPort + "/debug/readonly");

        try (ServerProcess server = ServerProcess.entrepot("serve", config.toString()).port(port)
                .output(dir.resolve("server.log")).startAndAwaitReady()) {
            assertThat(startUpload(server).statusCode()).as("upload before any signal").isEqualTo(202);

            server.sendSignal("USR1");
            awaitReadOnly(debug, true, server);
            HttpResponse<String> rejected = startUpload(server);
            assertThat(rejected.statusCode()).as("upload after SIGUSR1: %s", rejected.body()).isEqualTo(405);
            assertThat(rejected.body()).contains("UNSUPPORTED").contains("read-only");
            assertThat(http.send(HttpRequest.newBuilder(server.baseUri().resolve("v2/")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode()).as("reads continue").isEqualTo(200);

            server.sendSignal("USR2");
            awaitReadOnly(debug, false, server);
            assertThat(startUpload(server).statusCode()).as("upload after SIGUSR2").isEqualTo(202);
            assertThat(server.output()).contains("read-only mode enabled by SIGUSR1").contains("read-only mode disabled by SIGUSR2");
        }
    }

    private HttpResponse<String> startUpload(ServerProcess server) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(server.baseUri().resolve("v2/team/app/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Polls {@code GET /debug/readonly} until it reports {@code expected}, because a signal is handled asynchronously. */
    private void awaitReadOnly(URI debug, boolean expected, ServerProcess server) throws Exception {
        String wanted = "{\"readonly\":" + expected + "}";
        long deadline = System.nanoTime() + WAIT.toNanos();
        String body = "";
        while (System.nanoTime() < deadline) {
            body = http.send(HttpRequest.newBuilder(debug).build(), HttpResponse.BodyHandlers.ofString()).body();
            if (body.replace(" ", "").equals(wanted)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("GET /debug/readonly returned " + body + ", expected " + wanted + "; output:\n" + server.output());
    }
}
