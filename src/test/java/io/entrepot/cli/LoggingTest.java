package io.entrepot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entrepot.testing.RegistryClient;
import io.entrepot.testing.ServerProcess;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code log} section as an operator sees it: the output of a server process. */
class LoggingTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CREDENTIALS = "alice:open-sesame-42";
    private static final String BASIC = "Basic " + Base64.getEncoder().encodeToString(CREDENTIALS.getBytes(StandardCharsets.UTF_8));
    private static final String USER_AGENT = "logging-test/1.0";

    @TempDir
    Path dir;

    @Test
    void jsonFormatter_accessLine_hasFields() throws Exception {
        int port = ServerProcess.freePort();
        // Debug level, so the credential check also covers what the registry logs at debug.
        Path config = write("""
                version: 0.1
                log:
                  level: debug
                  formatter: json
                  fields: {service: registry, environment: test}
                storage:
                  filesystem: {rootdirectory: %s}
                http: {addr: 127.0.0.1:%d}
                """.formatted(dir.resolve("root"), port));

        String output;
        String digest;
        try (ServerProcess server = start(config, port)) {
            RegistryClient client = new RegistryClient(server.baseUri());
            digest = client.pushBlob("team/app", "logged blob".getBytes(StandardCharsets.UTF_8));
            HttpResponse<byte[]> response = client.get("v2/team/app/blobs/" + digest, "Authorization", BASIC, "User-Agent", USER_AGENT);
            assertThat(response.statusCode()).isEqualTo(200);

            server.sendSignal("TERM");
            assertThat(server.waitFor(Duration.ofSeconds(15))).as("exit status; output:\n%s", server.output()).isZero();
            output = server.output();
        }

        List<JsonNode> lines = parseJsonLines(output);
        JsonNode access = lines.stream()
                .filter(line -> line.path("msg").asText().equals("request") && line.path("method").asText().equals("GET")
                        && line.path("path").asText().contains("/blobs/"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no access line for GET of the blob in:\n" + output));
        assertThat(access.path("path").asText()).isEqualTo("/v2/team/app/blobs/" + digest);
        assertThat(access.path("status").asInt()).isEqualTo(200);
        assertThat(access.path("bytes").asLong()).isEqualTo("logged blob".length());
        assertThat(access.path("duration_ms").isNumber()).as("duration_ms is a number: %s", access).isTrue();
        assertThat(access.path("repository").asText()).isEqualTo("team/app");
        assertThat(access.path("request.id").asText()).isNotBlank();
        assertThat(access.path("user_agent").asText()).isEqualTo(USER_AGENT);
        assertThat(access.path("service").asText()).isEqualTo("registry");
        assertThat(access.path("environment").asText()).isEqualTo("test");
        assertThat(access.path("level").asText()).isEqualTo("info");
        assertThat(access.path("time").asText()).isNotBlank();
        assertThat(output).as("Authorization header value").doesNotContain(BASIC.substring(6));
        assertThat(output).as("decoded credentials").doesNotContain(CREDENTIALS);
    }

    @Test
    void textFormatter_accessLine_isReadable() throws Exception {
        int port = ServerProcess.freePort();
        Path config = write("""
                version: 0.1
                log: {level: info, formatter: text}
                storage:
                  filesystem: {rootdirectory: %s}
                http: {addr: 127.0.0.1:%d}
                """.formatted(dir.resolve("root"), port));

        try (ServerProcess server = start(config, port)) {
            HttpResponse<byte[]> response = new RegistryClient(server.baseUri()).get("v2/team/app/tags/list", "Authorization", BASIC);
            assertThat(response.statusCode()).isEqualTo(404);

            server.sendSignal("TERM");
            assertThat(server.waitFor(Duration.ofSeconds(15))).as("exit status; output:\n%s", server.output()).isZero();

            String accessLine = server.output().lines()
                    .filter(line -> line.contains("/v2/team/app/tags/list"))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no access line in:\n" + server.output()));
            assertThat(accessLine).contains("GET");
            assertThat(accessLine).contains("404");
            assertThat(accessLine).contains("team/app");
            assertThat(accessLine).doesNotStartWith("{");
            assertThat(server.output()).doesNotContain(BASIC.substring(6));
        }
    }

    private ServerProcess start(Path config, int port) throws IOException, InterruptedException {
        return ServerProcess.entrepot("serve", config.toString())
                .port(port)
                .output(dir.resolve("server.log"))
                .startAndAwaitReady();
    }

    private Path write(String yaml) throws IOException {
        return Files.writeString(dir.resolve("config.yml"), yaml);
    }

    /** Parses every non-empty line as a JSON object, failing on the first line that is not one. */
    private static List<JsonNode> parseJsonLines(String output) {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : output.lines().filter(line -> !line.isBlank()).toList()) {
            try {
                JsonNode node = JSON.readTree(line);
                assertThat(node.isObject()).as("line is a JSON object: %s", line).isTrue();
                lines.add(node);
            } catch (JsonProcessingException e) {
                throw new AssertionError("line is not JSON: " + line + "\nwhole output:\n" + output, e);
            }
        }
        return lines;
    }
}
