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
    private final List<String> extraArguments;
    private Process process;

    private RedisServer(Path program, Path directory, int port, List<String> extraArguments) {
        this.program = program;
        this.directory = directory;
        this.port = port;
        this.extraArguments = extraArguments;
    }

    /** Starts a server that keeps its files in {@code directory}. */
    public static RedisServer start(Path directory) throws IOException, InterruptedException {
        RedisServer server = new RedisServer(ExternalTools.require("redis-server"), directory, ServerProcess.freePort(), List.of());
        server.start();
        return server;
    }

    /**
     * Starts a Sentinel that watches {@code master} under the name {@code masterName}. Sentinel
     * rewrites its configuration file, so it gets one of its own in {@code directory}.
     */
    public static RedisServer startSentinel(Path directory, RedisServer master, String masterName) throws IOException, InterruptedException {
        Files.createDirectories(directory);
        Path config = directory.resolve("sentinel.conf");
        Files.writeString(config, "sentinel monitor " + masterName + " 127.0.0.1 " + master.port() + " 1\n");
        RedisServer sentinel = new RedisServer(ExternalTools.require("redis-server"), directory, ServerProcess.freePort(),
                List.of(config.toString(), "--sentinel"));
        sentinel.start();
        return sentinel;
    }

    /** Starts the process again on the same port and directory; returns once it accepts connections. */
    public void start() throws IOException, InterruptedException {
        Files.createDirectories(directory);
        List<String> command = new java.util.ArrayList<>(List.of(program.toString()));
        // A configuration file, when given, must come first on the command line.
        command.addAll(extraArguments.stream().filter(argument -> !argument.startsWith("--")).toList());
        command.addAll(List.of("--bind", "127.0.0.1", "--port", Integer.toString(port), "--dir", directory.toString(),
                "--daemonize", "no", "--protected-mode", "yes", "--logfile", directory.resolve("redis.log").toString()));
        if (extraArguments.contains("--sentinel")) {
            command.add("--sentinel");
        } else {
            command.addAll(List.of("--save", "", "--appendonly", "yes", "--appendfsync", "always"));
        }
        process = new ProcessBuilder(command)
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
