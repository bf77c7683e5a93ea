package io.entrepot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrepot.testing.ServerProcess;
import io.entrepot.testing.ThrottledInputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGTERM on a running {@code entrepot serve}: drain requests in flight, then exit 0. */
class ShutdownTest {

    private static final int MIB = 1024 * 1024;

    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void sigterm_patchInFlight_completes() throws Exception {
        int port = ServerProcess.freePort();
        try (ServerProcess server = start(port, "10s")) {
            URI upload = startUpload(server);
            ThrottledInputStream body = new ThrottledInputStream(MIB, 16, Duration.ofSeconds(2));
            CompletableFuture<HttpResponse<String>> patch = sendPatch(upload, body);
            assertThat(body.started().await(10, TimeUnit.SECONDS)).as("PATCH body started").isTrue();

            long signalled = System.nanoTime();
            server.sendSignal("TERM");
            long refusedAfterMillis = awaitConnectionRefused(port, Duration.ofSeconds(5));
            boolean patchDoneWhenRefused = patch.isDone();

            HttpResponse<String> response = patch.get(15, TimeUnit.SECONDS);
            int exitStatus = server.waitFor(Duration.ofSeconds(15));
            long exitedAfterMillis = (System.nanoTime() - signalled) / 1_000_000;

            assertThat(refusedAfterMillis).as("new connections refused after the signal (ms)").isLessThan(1000);
            assertThat(patchDoneWhenRefused).as("PATCH still in flight when new connections were refused").isFalse();
            assertThat(response.statusCode()).as("in-flight PATCH status; output:\n%s", server.output()).isEqualTo(202);
            assertThat(response.headers().firstValue("Range")).hasValue("0-" + (MIB - 1));
            assertThat(exitStatus).as("exit status; output:\n%s", server.output()).isZero();
            assertThat(exitedAfterMillis).as("time from SIGTERM to exit (ms)").isLessThan(10_000);
            assertThat(server.output()).doesNotContain(" ERROR ");
        }
    }

    @Test
    void sigterm_slowRequest_exitsAtDrainTimeout() throws Exception {
        int port = ServerProcess.freePort();
        try (ServerProcess server = start(port, "1s")) {
            URI upload = startUpload(server);
            ThrottledInputStream body = new ThrottledInputStream(MIB, 50, Duration.ofSeconds(5));
            CompletableFuture<HttpResponse<String>> patch = sendPatch(upload, body);
            assertThat(body.started().await(10, TimeUnit.SECONDS)).as("PATCH body started").isTrue();

            long signalled = System.nanoTime();
            server.sendSignal("TERM");
            int exitStatus = server.waitFor(Duration.ofSeconds(10));
            long exitedAfterMillis = (System.nanoTime() - signalled) / 1_000_000;

            assertThat(exitStatus).as("exit status; output:\n%s", server.output()).isZero();
            assertThat(exitedAfterMillis).as("time from SIGTERM to exit (ms)").isBetween(900L, 3_500L);
            assertThat(patch).as("the cut-off PATCH must not report success")
                    .failsWithin(Duration.ofSeconds(10));
            assertThat(server.output()).as("a drain timeout is expected, not a failure").doesNotContain(" ERROR ");
            assertThat(server.output()).contains("drain timed out");
        }
    }

    @Test
    void sigterm_withShutdownDelay_readinessFailsFirst() throws Exception {
        int port = ServerProcess.freePort();
        try (ServerProcess server = start(port, "5s", "3s")) {
            assertThat(get(port, "/readyz").statusCode()).isEqualTo(200);

            long signalled = System.nanoTime();
            server.sendSignal("TERM");
            long notReadyAfterMillis = awaitStatus(port, "/readyz", 503);
            int apiStatusWhileDraining = get(port, "/v2/").statusCode();
            int livenessWhileDraining = get(port, "/livez").statusCode();
            int exitStatus = server.waitFor(Duration.ofSeconds(20));
            long exitedAfterMillis = (System.nanoTime() - signalled) / 1_000_000;

            assertThat(notReadyAfterMillis).as("readiness failed after the signal (ms)").isLessThan(1000);
            assertThat(apiStatusWhileDraining).as("API still served during the shutdown delay").isEqualTo(200);
            assertThat(livenessWhileDraining).as("liveness during the shutdown delay").isEqualTo(200);
            assertThat(exitStatus).as("exit status; output:\n%s", server.output()).isZero();
            assertThat(exitedAfterMillis).as("time from SIGTERM to exit (ms)").isBetween(2_900L, 10_000L);
            assertThat(server.output()).contains("readiness now fails");
        }
    }

    private HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Polls {@code path} until it returns {@code status}; returns how long that took in milliseconds. */
    private long awaitStatus(int port, String path, int status) throws IOException, InterruptedException {
        long start = System.nanoTime();
        while (get(port, path).statusCode() != status) {
            assertThat((System.nanoTime() - start) / 1_000_000).as("%s never returned %d", path, status).isLessThan(5_000);
            Thread.sleep(20);
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    private ServerProcess start(int port, String drainTimeout) throws IOException, InterruptedException {
        return start(port, drainTimeout, "0s");
    }

    private ServerProcess start(int port, String drainTimeout, String shutdownDelay) throws IOException, InterruptedException {
        Path config = dir.resolve("config.yml");
        Files.writeString(config, """
                version: 0.1
                log: {level: info, formatter: text}
                storage:
                  filesystem: {rootdirectory: %s}
                http: {addr: 127.0.0.1:%d, draintimeout: %s, shutdowndelay: %s}
                """.formatted(dir.resolve("root"), port, drainTimeout, shutdownDelay));
        return ServerProcess.entrepot("serve", config.toString())
                .port(port)
                .output(dir.resolve("server.log"))
                .startAndAwaitReady();
    }

    private URI startUpload(ServerProcess server) throws IOException, InterruptedException {
        HttpRequest post = HttpRequest.newBuilder(server.baseUri().resolve("v2/slow/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody()).build();
        HttpResponse<String> response = http.send(post, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("POST upload: %s", response.body()).isEqualTo(202);
        return server.baseUri().resolve(response.headers().firstValue("Location").orElseThrow());
    }

    private CompletableFuture<HttpResponse<String>> sendPatch(URI upload, ThrottledInputStream body) {
        HttpRequest patch = HttpRequest.newBuilder(upload)
                .method("PATCH", HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> body), MIB))
                .header("Content-Type", "application/octet-stream")
                .header("Content-Range", "0-" + (MIB - 1))
                .build();
        return http.sendAsync(patch, HttpResponse.BodyHandlers.ofString());
    }

    /** Connects repeatedly until the port refuses a connection, and returns how long that took in milliseconds. */
    private static long awaitConnectionRefused(int port, Duration timeout) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            } catch (ConnectException e) {
                return (System.nanoTime() - start) / 1_000_000;
            } catch (IOException e) {
                // A timeout or reset is not a refused connection, so try again.
            }
            Thread.sleep(20);
        }
        throw new AssertionError("port " + port + " still accepted connections " + timeout + " after SIGTERM");
    }
}
