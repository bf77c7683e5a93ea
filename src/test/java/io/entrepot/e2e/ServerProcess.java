package io.entrepot.e2e;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A registry running as a child process (Entrepot or docker-registry) on 127.0.0.1.
 *
 * <p>{@link #start} returns once {@code GET /v2/} responds, and {@link #close} stops the process
 * with SIGTERM, then SIGKILL after {@link #STOP_TIMEOUT}. Tests call {@code close} from a
 * {@code finally} block or {@code @AfterEach}, so no registry outlives its test.
 */
final class ServerProcess implements AutoCloseable {

    static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    private final String name;
    private final Process process;
    private final Path log;
    private final URI baseUri;

    private ServerProcess(String name, Process process, Path log, URI baseUri) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.baseUri = baseUri;
    }

    /**
     * Starts {@code command}, which must serve the registry API on {@code 127.0.0.1:port}, with
     * its standard output and error written to {@code log}, and waits until {@code GET /v2/}
     * returns 200. Fails the test, quoting the log, when the process exits first or
     * does not respond within {@link #START_TIMEOUT}.
     */
    static ServerProcess start(String name, List<String> command, int port, Path log) {
        Process process;
        try {
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("failed to start " + name + ": " + String.join(" ", command), e);
        }

        ServerProcess server = new ServerProcess(name, process, log, URI.create("http://127.0.0.1:" + port + "/"));
        try {
            server.awaitReady();
        } catch (RuntimeException | AssertionError e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** Returns {@code http://127.0.0.1:<port>/}. */
    URI baseUri() {
        return baseUri;
    }

    /** Returns {@code 127.0.0.1:<port>}, the host part of a skopeo {@code docker://} reference. */
    String hostPort() {
        return baseUri.getHost() + ":" + baseUri.getPort();
    }

    private void awaitReady() {
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        HttpRequest probe = HttpRequest.newBuilder(baseUri.resolve("/v2/")).timeout(Duration.ofSeconds(2)).build();
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                fail(name + " exited with code " + process.exitValue() + " before serving GET /v2/. Log:\n" + logText());
            }
            try {
                if (HTTP.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // Not listening yet.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + name, e);
            }
            sleep(Duration.ofMillis(100));
        }
        fail(name + " did not return 200 for GET /v2/ within " + START_TIMEOUT + ". Log:\n" + logText());
    }

    /** Returns the process output so far, for failure messages. */
    String logText() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(log " + log + " unreadable: " + e + ")";
        }
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** Returns a TCP port on 127.0.0.1 that was free a moment ago. */
    static int freeLoopbackPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("failed to find a free port on 127.0.0.1", e);
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
