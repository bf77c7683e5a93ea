package io.entrepot.testing;

import java.io.IOException;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code entrepot} in a child JVM, started with the current test classpath, so that tests
 * can exercise what only a real process has: heap limits, signals, exit status and log output.
 *
 * <p>Standard output and standard error both go to one file, which {@link #output()} reads.
 * {@link #close()} always kills the process, so a failed test never leaves a server behind.
 */
public final class ServerProcess implements AutoCloseable {

    /** Upper bound for a JVM to start and answer {@code GET /v2/} on a loaded two-core machine. */
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final Path outputFile;
    private final int port;

    private ServerProcess(Process process, Path outputFile, int port) {
        this.process = process;
        this.outputFile = outputFile;
        this.port = port;
    }

    /** Returns a TCP port on 127.0.0.1 that was free a moment ago. */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Returns a builder for a process that runs {@code entrepot} with {@code arguments}. */
    public static Builder entrepot(String... arguments) {
        return new Builder(List.of(arguments));
    }

    /** Options for one child process; {@link #start()} launches it without waiting for readiness. */
    public static final class Builder {

        private final List<String> arguments;
        private final List<String> jvmOptions = new ArrayList<>();
        private final Map<String, String> environment = new HashMap<>();
        private Path workingDirectory;
        private Path outputFile;
        private int port = -1;

        private Builder(List<String> arguments) {
            this.arguments = arguments;
        }

        /** Adds JVM options such as {@code -Xmx128m}, placed before the main class. */
        public Builder jvmOptions(String... options) {
            jvmOptions.addAll(List.of(options));
            return this;
        }

        /** Sets an environment variable of the child, in addition to the inherited ones. */
        public Builder environment(String name, String value) {
            environment.put(name, value);
            return this;
        }

        public Builder workingDirectory(Path directory) {
            this.workingDirectory = directory;
            return this;
        }

        /** Sets the file that receives standard output and standard error (required). */
        public Builder output(Path file) {
            this.outputFile = file;
            return this;
        }

        /** Sets the API port that {@link ServerProcess#awaitReady()} polls on 127.0.0.1. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** Launches the child JVM and returns at once. */
        public ServerProcess start() throws IOException {
            if (outputFile == null) {
                throw new IllegalStateException("output file not set; call output(Path) before start()");
            }
            List<String> command = new ArrayList<>();
            command.add(ProcessHandle.current().info().command().orElseThrow(
                    () -> new IllegalStateException("the path of the running java executable is unknown")));
            command.addAll(jvmOptions);
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add("io.entrepot.cli.Main");
            command.addAll(arguments);

            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(outputFile.toFile());
            if (workingDirectory != null) {
                builder.directory(workingDirectory.toFile());
            }
            builder.environment().putAll(environment);
            return new ServerProcess(builder.start(), outputFile, port);
        }

        /** Launches the child JVM and waits until its API answers {@code GET /v2/} with 200. */
        public ServerProcess startAndAwaitReady() throws IOException, InterruptedException {
            ServerProcess server = start();
            try {
                server.awaitReady();
            } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
                server.close();
                throw e;
            }
            return server;
        }
    }

    /**
     * Polls {@code GET http://127.0.0.1:PORT/v2/} until it returns 200.
     *
     * @throws AssertionError with the process output when the process exits first or the
     *     startup timeout passes
     */
    public void awaitReady() throws IOException, InterruptedException {
        if (port < 0) {
            throw new IllegalStateException("port not set; call port(int) on the builder");
        }
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest request = HttpRequest.newBuilder(baseUri().resolve("v2/")).timeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("server exited with status " + process.exitValue() + " before it was ready; output:\n" + output());
            }
            try {
                if (client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("server did not answer GET /v2/ within " + STARTUP_TIMEOUT + "; output:\n" + output());
    }

    /** Returns the API port given to the builder. */
    public int port() {
        return port;
    }

    /** Returns {@code http://127.0.0.1:PORT/}. */
    public URI baseUri() {
        return URI.create("http://127.0.0.1:" + port + "/");
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Sends a signal such as {@code TERM} or {@code INT} with {@code kill -SIGNAL pid}. */
    public void sendSignal(String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed");
        }
    }

    /**
     * Waits for the process to exit and returns its exit status.
     *
     * @throws AssertionError with the process output when it is still running after {@code timeout}
     */
    public int waitFor(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("server still running after " + timeout + "; output:\n" + output());
        }
        return process.exitValue();
    }

    /** Returns everything the process has written to standard output and standard error so far. */
    public String output() {
        try {
            return Files.readString(outputFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(output file " + outputFile + " could not be read: " + e + ")";
        }
    }

    /** Kills the process (SIGKILL) if it is still running and waits for it to go. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
