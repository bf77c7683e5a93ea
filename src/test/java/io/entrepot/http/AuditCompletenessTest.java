package io.entrepot.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entrepot.config.AuditConfig;
import io.entrepot.config.AuthConfig;
import io.entrepot.config.RegistryConfig;
import io.entrepot.config.RequestLimits;
import io.entrepot.testing.RegistryClient;
import io.entrepot.testing.TestConfigs;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.crypto.bcrypt.BCrypt;

/**
 * One htpasswd registry driven through every audited action: login, pushes, a tag change,
 * deletions, a failed login, limit rejections and a blocked login, checking each line's fields
 * and that no secret reaches the file. Denied permissions under token authentication are checked
 * in {@link TokenAuthTest}.
 */
class AuditCompletenessTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PASSWORD = "correct horse battery";
    private static final String ALICE = HtpasswdAuthTest.basic("alice", PASSWORD);

    @TempDir
    Path dir;

    private RegistryServer server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void auditedAction_oneLineWithoutSecrets() throws Exception {
        Path auditFile = dir.resolve("audit.log");
        String hash = BCrypt.hashpw(PASSWORD, BCrypt.gensalt(4));
        Path htpasswd = Files.writeString(dir.resolve("htpasswd"), "alice:" + hash + "\n");
        RegistryConfig base = TestConfigs.config(TestConfigs.filesystem(dir.resolve("storage")), true);
        server = RegistryServer.start(new RegistryConfig(base.version(), base.log(), base.storage(),
                base.http().withLimits(new RequestLimits(RequestLimits.DEFAULT_MAX_HEADER_BYTES, 1000, 1)),
                new AuthConfig.Htpasswd("Entrepot", htpasswd), new AuditConfig(auditFile, false)));
        RegistryClient client = new RegistryClient(server.baseUri());
        Instant start = Instant.now().minusSeconds(1);

        assertThat(client.get("v2/", "Authorization", ALICE).statusCode()).isEqualTo(200);
        byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
        byte[] layer = "layer bytes".getBytes(StandardCharsets.UTF_8);
        String configDigest = push(client, config);
        String layerDigest = push(client, layer);
        byte[] first = manifest(configDigest, config.length, layerDigest, layer.length, "first");
        byte[] second = manifest(configDigest, config.length, layerDigest, layer.length, "second");
        assertThat(putManifest(client, first).statusCode()).isEqualTo(201);
        assertThat(putManifest(client, second).statusCode()).as("tag v1 moves to another manifest").isEqualTo(201);
        String secondDigest = RegistryClient.sha256(second);
        assertThat(client.send("DELETE", "v2/team/app/manifests/" + secondDigest, null, "Authorization", ALICE).statusCode()).isEqualTo(202);
        assertThat(client.send("DELETE", "v2/team/app/blobs/" + layerDigest, null, "Authorization", ALICE).statusCode()).isEqualTo(202);
        assertThat(client.get("v2/", "Authorization", HtpasswdAuthTest.basic("alice", "wrong password")).statusCode()).isEqualTo(401);
        byte[] large = new byte[1001];
        assertThat(client.send("POST", "v2/team/app/blobs/uploads/?digest=" + RegistryClient.sha256(large), large,
                "Content-Type", "application/octet-stream", "Authorization", ALICE).statusCode()).isEqualTo(413);
        assertThat(client.send("POST", "v2/team/app/blobs/uploads/", null, "Authorization", ALICE).statusCode()).isEqualTo(202);
        assertThat(client.send("POST", "v2/team/app/blobs/uploads/", null, "Authorization", ALICE).statusCode()).isEqualTo(429);
        // Alice's logins since the first failure cleared her count, so these reach the maximum.
        for (int i = 0; i < AuthConfig.Htpasswd.DEFAULT_MAX_FAILURES; i++) {
            client.get("v2/", "Authorization", HtpasswdAuthTest.basic("alice", "guess " + i));
        }
        assertThat(client.get("v2/", "Authorization", ALICE).statusCode()).as("blocked login").isEqualTo(429);

        List<JsonNode> lines = auditLines(auditFile, 11 + AuthConfig.Htpasswd.DEFAULT_MAX_FAILURES);
        assertThat(lines).allSatisfy(line -> {
            assertThat(Instant.parse(line.path("time").asText())).isAfter(start);
            assertThat(line.path("user").asText()).isEqualTo("alice");
            assertThat(line.path("client_address").asText()).isEqualTo("127.0.0.1");
            assertThat(line.path("request_id").asText()).isNotEmpty();
        });
        assertLine(lines, "login", "success", 200, null, null, null);
        assertThat(withAction(lines, "blob.push", "success")).extracting(line -> line.path("digest").asText())
                .containsExactlyInAnyOrder(configDigest, layerDigest);
        assertThat(withAction(lines, "manifest.push", "success")).extracting(line -> line.path("digest").asText())
                .containsExactly(RegistryClient.sha256(first), secondDigest);
        assertThat(withAction(lines, "manifest.push", "success")).allSatisfy(line -> {
            assertThat(line.path("repository").asText()).isEqualTo("team/app");
            assertThat(line.path("reference").asText()).isEqualTo("v1");
        });
        assertLine(lines, "manifest.delete", "success", 202, "team/app", secondDigest, secondDigest);
        assertLine(lines, "blob.delete", "success", 202, "team/app", null, layerDigest);
        assertThat(withAction(lines, "auth.failure", "denied")).hasSize(1 + AuthConfig.Htpasswd.DEFAULT_MAX_FAILURES);
        assertLine(lines, "blob.push", "denied", 413, "team/app", null, RegistryClient.sha256(large));
        assertLine(lines, "blob.upload", "denied", 429, "team/app", null, null);
        assertLine(lines, "auth.throttled", "denied", 429, null, null, null);
        assertThat(lines).as("one line per audited request").hasSize(11 + AuthConfig.Htpasswd.DEFAULT_MAX_FAILURES);

        String whole = Files.readString(auditFile);
        assertThat(whole).doesNotContain(PASSWORD).doesNotContain("wrong password").doesNotContain("guess ")
                .doesNotContain(ALICE.substring("Basic ".length())).doesNotContain(hash);
    }

    private static String push(RegistryClient client, byte[] content) {
        String digest = RegistryClient.sha256(content);
        HttpResponse<byte[]> response = client.send("POST", "v2/team/app/blobs/uploads/?digest=" + digest, content,
                "Content-Type", "application/octet-stream", "Authorization", ALICE);
        assertThat(response.statusCode()).isEqualTo(201);
        return digest;
    }

    private static HttpResponse<byte[]> putManifest(RegistryClient client, byte[] manifest) {
        return client.send("PUT", "v2/team/app/manifests/v1", manifest,
                "Content-Type", "application/vnd.oci.image.manifest.v1+json", "Authorization", ALICE);
    }

    private static byte[] manifest(String configDigest, int configSize, String layerDigest, int layerSize, String note) {
        return """
                {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",\
                "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%d},\
                "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"%s","size":%d}],\
                "annotations":{"note":"%s"}}"""
                .formatted(configDigest, configSize, layerDigest, layerSize, note).getBytes(StandardCharsets.UTF_8);
    }

    private static void assertLine(List<JsonNode> lines, String action, String result, int status, String repository,
            String reference, String digest) {
        List<JsonNode> matching = withAction(lines, action, result);
        assertThat(matching).as(action + " " + result).hasSize(1);
        JsonNode line = matching.get(0);
        assertThat(line.path("status").asInt()).as(action + " status").isEqualTo(status);
        assertThat(line.path("repository").asText(null)).as(action + " repository").isEqualTo(repository);
        assertThat(line.path("reference").asText(null)).as(action + " reference").isEqualTo(reference);
        assertThat(line.path("digest").asText(null)).as(action + " digest").isEqualTo(digest);
    }

    private static List<JsonNode> withAction(List<JsonNode> lines, String action, String result) {
        return lines.stream()
                .filter(line -> line.path("action").asText().equals(action) && line.path("result").asText().equals(result))
                .toList();
    }

    /** Waits for {@code count} lines, because a served request is recorded just after its response is sent. */
    private static List<JsonNode> auditLines(Path file, int count) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        List<JsonNode> lines = read(file);
        while (lines.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(20);
            lines = read(file);
        }
        return lines;
    }

    private static List<JsonNode> read(Path file) throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            lines.add(JSON.readTree(line));
        }
        return lines;
    }
}
