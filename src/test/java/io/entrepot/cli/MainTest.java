package io.entrepot.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.entrepot.testing.RegistryClient;
import io.entrepot.testing.ServerProcess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The command line as a user runs it: help, {@code config check} and {@code serve}. Most cases
 * call {@link Main#run} in this JVM with standard output and error captured. The case that
 * starts a server runs it as a process, because serving blocks until a signal.
 */
class MainTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream originalOut;
    private PrintStream originalErr;

    @BeforeEach
    void captureOutput() {
        originalOut = System.out;
        originalErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreOutput() {
        System.setOut(originalOut);
        System.setErr(originalErr);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--help              | Usage: entrepot   | serve",
        "serve --help        | Usage: entrepot serve | REGISTRY_",
        "config --help       | Usage: entrepot config | check",
        "config check --help | Usage: entrepot config check | Exit status",
    })
    void help_eachCommand_exitsZero(String arguments, String usage, String mention) {
        int status = Main.run(arguments.split(" "));

        assertThat(status).as("exit status; stderr: %s", err).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains(usage);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains(mention);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--help");
    }

    @Test
    void configCheck_validFile_printsMaskedSecret() throws IOException {
        Path config = write("""
                version: 0.1
                storage:
                  filesystem: {rootdirectory: %s}
                http: {addr: 127.0.0.1:5000, secret: s3cr3t-value}
                """.formatted(dir.resolve("root")));

        int status = Main.run("config", "check", config.toString());

        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(status).as("exit status; stderr: %s", err).isZero();
        assertThat(printed).contains("secret: '*****'");
        assertThat(printed).doesNotContain("s3cr3t-value");
        assertThat(err.toString(StandardCharsets.UTF_8)).doesNotContain("s3cr3t-value");
        assertThat(printed).contains("rootdirectory: " + dir.resolve("root"));
        assertThat(err.toString(StandardCharsets.UTF_8)).as("unsupported key named").contains("http.secret");
    }

    @Test
    void configCheck_invalidValue_namesKeyAndValue() throws IOException {
        Path config = write("""
                version: 0.1
                storage:
                  filesystem: {rootdirectory: /tmp/entrepot-unused}
                http: {addr: 127.0.0.1:5000, draintimeout: soon}
                """);

        int status = Main.run("config", "check", config.toString());

        assertThat(status).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("http.draintimeout");
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("\"soon\"");
        assertThat(out.toString(StandardCharsets.UTF_8)).as("nothing printed on stdout").isEmpty();
    }

    @Test
    void configCheck_authSection_exitsTwo() throws IOException {
        Path config = write("""
                version: 0.1
                storage:
                  filesystem: {rootdirectory: /tmp/entrepot-unused}
                auth:
                  htpasswd: {realm: basic-realm, path: /etc/registry/htpasswd}
                """);

        int status = Main.run("config", "check", config.toString());

        assertThat(status).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("auth");
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void configCheck_misspeltAuth_exitsTwo() throws IOException {
        Path config = write("""
                version: 0.1
                storage:
                  filesystem: {rootdirectory: /tmp/entrepot-unused}
                auht:
                  htpasswd: {realm: basic-realm, path: /etc/registry/htpasswd}
                """);

        int status = Main.run("config", "check", config.toString());

        assertThat(status).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("auht: unknown key, did you mean auth?");
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void configCheck_missingFile_namesPath() {
        Path missing = dir.resolve("no-such-config.yml");

        int status = Main.run("config", "check", missing.toString());

        assertThat(status).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains(missing.toString());
    }

    @Test
    void serve_invalidConfig_exitsTwoWithoutBinding() throws IOException {
        int port = ServerProcess.freePort();
        int debugPort = ServerProcess.freePort();
        Path config = write("""
                version: 0.1
                storage:
                  filesystem: {rootdirectory: %s}
                  delete: {enabled: maybe}
                http: {addr: 127.0.0.1:%d, debug: {addr: 127.0.0.1:%d}}
                """.formatted(dir.resolve("root"), port, debugPort));

        int status = Main.run("serve", config.toString());

        assertThat(status).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("storage.delete.enabled");
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("maybe");
        assertThatCode(() -> bindAndRelease(port)).as("API port left free").doesNotThrowAnyException();
        assertThatCode(() -> bindAndRelease(debugPort)).as("debug port left free").doesNotThrowAnyException();
        assertThat(dir.resolve("root")).as("storage root not created").doesNotExist();
    }

    @Test
    void serve_portInUse_exitsOneNamingKey() throws IOException {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            int debugPort = ServerProcess.freePort();
            Path config = write("""
                    version: 0.1
                    storage:
                      filesystem: {rootdirectory: %s}
                    http: {addr: 127.0.0.1:%d, debug: {addr: 127.0.0.1:%d}}
                    """.formatted(dir.resolve("root"), taken.getLocalPort(), debugPort));

            int status = Main.run("serve", config.toString());

            String output = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
            assertThat(status).isEqualTo(1);
            assertThat(output).contains("cannot listen on http.addr 127.0.0.1:" + taken.getLocalPort());
            assertThat(output).doesNotContain("draining");
            assertThatCode(() -> bindAndRelease(debugPort)).as("debug port released").doesNotThrowAnyException();
        }
    }

    @Test
    void serve_noConfig_storesUnderData() throws Exception {
        int port = ServerProcess.freePort();
        Path workingDirectory = Files.createDirectory(dir.resolve("work"));

        try (ServerProcess server = ServerProcess.entrepot("serve")
                .workingDirectory(workingDirectory)
                .environment("REGISTRY_HTTP_ADDR", "127.0.0.1:" + port)
                .port(port)
                .output(dir.resolve("server.log"))
                .startAndAwaitReady()) {
            String digest = new RegistryClient(server.baseUri()).pushBlob("defaults/test", "pushed without a config file".getBytes(StandardCharsets.UTF_8));

            Path v2 = workingDirectory.resolve("data/docker/registry/v2");
            Path blob = v2.resolve("blobs/sha256/" + digest.substring(7, 9) + "/" + digest.substring(7) + "/data");
            assertThat(blob).as("blob data under ./data").exists();
            assertThat(v2.resolve("repositories/defaults/test/_layers/sha256/" + digest.substring(7) + "/link")).exists();
            assertThat(filesUnder(v2)).as("files under ./data").isNotEmpty();

            server.sendSignal("TERM");
            assertThat(server.waitFor(Duration.ofSeconds(15))).as("exit status; output:\n%s", server.output()).isZero();
        }
    }

    private Path write(String yaml) throws IOException {
        return Files.writeString(dir.resolve("config.yml"), yaml);
    }

    private static void bindAndRelease(int port) throws IOException {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            assertThat(socket.getLocalPort()).isEqualTo(port);
        }
    }

    private static List<Path> filesUnder(Path directory) throws IOException {
        try (Stream<Path> files = Files.walk(directory)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }
}
