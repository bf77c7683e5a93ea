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
    private final boolean tls;
    private Process process;

    private RedisServer(Path program, Path directory, int port, List<String> extraArguments) {
        this(program, directory, port, extraArguments, false);
    }

    private RedisServer(Path program, Path directory, int port, List<String> extraArguments, boolean tls) {
        this.program = program;
        this.directory = directory;
        this.port = port;
        this.extraArguments = extraArguments;
        this.tls = tls;
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

    /**
     * Starts a node of a Redis Cluster, which {@link RedisCluster} joins to the others. The
     * cluster bus gets a free port of its own, because the default of port + 10000 may be above 65535.
     */
    static RedisServer startClusterNode(Path directory, Duration nodeTimeout) throws IOException, InterruptedException {
        RedisServer node = new RedisServer(ExternalTools.require("redis-server"), directory, ServerProcess.freePort(),
                List.of("--cluster-enabled", "yes", "--cluster-config-file", directory.resolve("nodes.conf").toString(),
                        "--cluster-port", Integer.toString(ServerProcess.freePort()),
                        "--cluster-node-timeout", Long.toString(nodeTimeout.toMillis())));
        node.start();
        return node;
    }

    /**
     * Starts a server that accepts only TLS on its port, with the PEM files {@code certificate}
     * and {@code key}, and that accepts clients without a client certificate
     * ({@code tls-auth-clients no}), as Entrepot presents none.
     */
    public static RedisServer startTls(Path directory, Path certificate, Path key) throws IOException, InterruptedException {
        List<String> options = List.of("--tls-cert-file", certificate.toString(), "--tls-key-file", key.toString(), "--tls-auth-clients", "no");
        RedisServer server = new RedisServer(ExternalTools.require("redis-server"), directory, ServerProcess.freePort(), options, true);
        server.start();
        return server;
    }

    /** Starts the process again on the same port and directory; returns once it accepts connections. */
    public void start() throws IOException, InterruptedException {
        Files.createDirectories(directory);
        List<String> command = new java.util.ArrayList<>(List.of(program.toString()));
        boolean sentinel = extraArguments.contains("--sentinel");
        // A configuration file, when given, must come first on the command line.
        if (sentinel) {
            command.add(extraArguments.get(0));
        }
        command.addAll(List.of("--bind", "127.0.0.1", "--dir", directory.toString(),
                "--daemonize", "no", "--protected-mode", "yes", "--logfile", directory.resolve("redis.log").toString()));
        // A TLS server gets no plain port, so a client that forgets TLS cannot connect at all.
        command.addAll(tls ? List.of("--port", "0", "--tls-port", Integer.toString(port)) : List.of("--port", Integer.toString(port)));
        if (sentinel) {
            command.add("--sentinel");
        } else {
            command.addAll(extraArguments);
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

    /** Returns true while the process started by {@link #start()} has not exited. */
    public boolean running() {
        return process != null && process.isAlive();
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
