package io.entrepot.testing;

import io.entrepot.e2e.ExternalTools;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code redis-server} child process on 127.0.0.1 with its own port and data directory, which
 * tests stop and start again to simulate an outage. The append-only file is on, so data written
 * before {@link #stop()} is there again after {@link #start()}, as with a production Redis that
 * persists. Skips the test when redis-server is missing, see {@link ExternalTools#require}.
 */
public final class RedisServer implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

    private final Path program;
    private final Path directory;
    private final int port;
    private Process process;

    private RedisServer(Path program, Path directory, int port) {
        this.program = program;
        this.directory = directory;
        this.port = port;
    }

    /** Starts a server that keeps its files in {@code directory}. */
    public static RedisServer start(Path directory) throws IOException, InterruptedException {
        RedisServer server = new RedisServer(ExternalTools.require("redis-server"), directory, ServerProcess.freePort());
        server.start();
        return server;
    }

    /** Starts the process again on the same port and directory; returns once it accepts connections. */
    public void start() throws IOException, InterruptedException {
        Files.createDirectories(directory);
        process = new ProcessBuilder(List.of(program.toString(),
                "--bind", "127.0.0.1", "--port", Integer.toString(port), "--dir", directory.toString(),
                "--save", "", "--appendonly", "yes", "--appendfsync", "always", "--daemonize", "no",
                "--protected-mode", "yes", "--logfile", directory.resolve("redis.log").toString()))
                .redirectErrorStream(true)
                .redirectOutput(directory.resolve("redis.out").toFile())
                .start();
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (!accepts()) {
            if (!process.isAlive() || Instant.now().isAfter(deadline)) {
                throw new IOException("redis-server did not start on port " + port + ", see " + directory.resolve("redis.log"));
            }
            Thread.sleep(50);
        }
    }

    /** Stops the process with SIGTERM and waits for it to exit. */
    public void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    private boolean accepts() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public int port() {
        return port;
    }

    /** Returns {@code 127.0.0.1:<port>}, as {@code redis.addr} takes it. */
    public String addr() {
        return "127.0.0.1:" + port;
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
