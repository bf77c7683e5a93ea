package io.entrepot.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entrepot.config.AuditConfig;
import io.entrepot.config.AuthConfig;
import io.entrepot.config.RegistryConfig;
import io.entrepot.testing.RegistryClient;
import io.entrepot.testing.TestConfigs;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.crypto.bcrypt.BCrypt;

/** {@code auth.htpasswd} end to end over HTTP, with the audit log written to a file. */
class HtpasswdAuthTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ALICE = basic("alice", "correct horse");

    @TempDir
    Path dir;

    private RegistryServer server;
    private RegistryClient client;
    private Path auditFile;

    @BeforeEach
    void start() throws Exception {
        // Cost 4 keeps the test fast; the format is what htpasswd -B writes, with its $2y$ prefix.
        String hash = BCrypt.hashpw("correct horse", BCrypt.gensalt(4)).replace("$2a$", "$2y$");
        Path htpasswd = Files.writeString(dir.resolve("htpasswd"), "# registry users\nalice:" + hash + "\n");
        auditFile = dir.resolve("audit.log");
        server = RegistryServer.start(config(new AuthConfig.Htpasswd("Entrepot Registry", htpasswd)));
        client = new RegistryClient(server.baseUri());
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void base_withoutCredentials_challengesBasic() throws Exception {
        HttpResponse<byte[]> response = client.get("v2/");

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"Entrepot Registry\"");
        assertThat(errorCode(response)).isEqualTo("UNAUTHORIZED");
        assertThat(auditLines()).as("a first request without credentials is not an attack").isEmpty();
    }

    @Test
    void base_withCredentials_answers200() {
        assertThat(client.get("v2/", "Authorization", ALICE).statusCode()).isEqualTo(200);
    }

    @Test
    void attacks_areRejectedAndChangeNothing() throws Exception {
        byte[] layer = "layer".getBytes(StandardCharsets.UTF_8);
        String digest = RegistryClient.sha256(layer);
        String upload = "v2/team/app/blobs/uploads/?digest=" + digest;
        List<String[]> attempts = List.of(
                new String[] {"no credentials"},
                new String[] {"wrong password", "Authorization", basic("alice", "wrong")},
                new String[] {"unknown user", "Authorization", basic("mallory", "correct horse")},
                new String[] {"empty password", "Authorization", basic("alice", "")},
                new String[] {"not base64", "Authorization", "Basic %%%"},
                new String[] {"no colon", "Authorization", "Basic " + Base64.getEncoder().encodeToString("alice".getBytes(StandardCharsets.UTF_8))},
                new String[] {"other scheme", "Authorization", "Bearer abc.def.ghi"},
                new String[] {"hash instead of password", "Authorization", basic("alice", Files.readString(dir.resolve("htpasswd")).split(":")[1].strip())});

        for (String[] attempt : attempts) {
            String[] headers = java.util.Arrays.copyOfRange(attempt, 1, attempt.length);
            List<String> withType = new ArrayList<>(List.of(headers));
            withType.addAll(List.of("Content-Type", "application/octet-stream"));
            HttpResponse<byte[]> response = client.send("POST", upload, layer, withType.toArray(new String[0]));

            assertThat(response.statusCode()).as(attempt[0]).isEqualTo(401);
            assertThat(errorCode(response)).as(attempt[0]).isEqualTo("UNAUTHORIZED");
            assertThat(response.headers().firstValue("WWW-Authenticate")).as(attempt[0]).hasValue("Basic realm=\"Entrepot Registry\"");
        }
        assertThat(client.head("v2/team/app/blobs/" + digest, "Authorization", ALICE).statusCode()).as("blob after attacks").isEqualTo(404);

        List<JsonNode> audit = auditLines();
        assertThat(audit).hasSize(attempts.size() - 1);
        assertThat(audit).allSatisfy(line -> {
            assertThat(line.path("action").asText()).isEqualTo("auth.failure");
            assertThat(line.path("result").asText()).isEqualTo("denied");
            assertThat(line.path("repository").asText()).isEqualTo("team/app");
            assertThat(line.path("client_address").asText()).isEqualTo("127.0.0.1");
        });
        assertThat(audit.get(0).path("user").asText()).isEqualTo("alice");
        assertThat(audit.get(1).path("user").asText()).isEqualTo("mallory");
        assertThat(Files.readString(auditFile)).doesNotContain("wrong").doesNotContain("correct horse").doesNotContain("$2y$");
    }

    @Test
    void failedLoginFlood_blocksEvenRightPassword() throws Exception {
        for (int i = 0; i < io.entrepot.config.AuthConfig.Htpasswd.DEFAULT_MAX_FAILURES; i++) {
            assertThat(client.get("v2/", "Authorization", basic("alice", "guess " + i)).statusCode()).as("attempt %d", i).isEqualTo(401);
        }

        HttpResponse<byte[]> blocked = client.get("v2/", "Authorization", ALICE);
        HttpResponse<byte[]> otherUser = client.get("v2/", "Authorization", basic("bob", "x"));

        assertThat(blocked.statusCode()).isEqualTo(429);
        assertThat(errorCode(blocked)).isEqualTo("TOOMANYREQUESTS");
        assertThat(otherUser.statusCode()).as("one user's failures do not block the address").isEqualTo(401);
        List<JsonNode> throttled = auditLines().stream().filter(line -> line.path("action").asText().equals("auth.throttled")).toList();
        assertThat(throttled).hasSize(1);
        assertThat(throttled.get(0).path("status").asInt()).isEqualTo(429);
    }

    @Test
    void pathTricks_neverServeWithoutCredentials() throws Exception {
        String[] targets = {"/v2/../v2/", "/v2/./", "/v2/team/../_catalog", "/v2/%2e%2e/v2/", "/v2/team%2Fapp/tags/list",
            "/v2/team/..%2F..%2F_catalog", "/v2/team/app/../../_catalog", "//v2/", "/v2/team/app/manifests/..%2F..%2Fx"};

        for (String target : targets) {
            io.entrepot.testing.RawHttp.Response response = io.entrepot.testing.RawHttp.send(server.port(), "GET", target, null);

            assertThat(response.status()).as(target).isNotEqualTo(200).isLessThan(500);
        }
    }

    @Test
    void pathTricks_withCredentials_rejectedAndChangeNothing() throws Exception {
        byte[] layer = "layer".getBytes(StandardCharsets.UTF_8);
        String digest = RegistryClient.sha256(layer);
        push("team/app", layer);
        String overlong = "team/" + "a".repeat(300);
        String[][] attempts = {
            {"POST", "/v2/../v2/team/app/blobs/uploads/", "400", "NAME_INVALID"},
            {"POST", "/v2/team/../other/blobs/uploads/", "400", "NAME_INVALID"},
            {"POST", "/v2/team/%2e%2e/other/blobs/uploads/", "400", "NAME_INVALID"},
            {"POST", "/v2/team/%2E%2E/%2E%2E/blobs/uploads/", "400", "NAME_INVALID"},
            {"POST", "/v2/team%2Fapp/blobs/uploads/", "400", "NAME_INVALID"},
            {"POST", "/v2/team/..%2Fother/blobs/uploads/", "400", "NAME_INVALID"},
            {"POST", "/v2/team//app/blobs/uploads/", "400", "NAME_INVALID"},
            {"POST", "//v2/team/app/blobs/uploads/", "404", "NOT_FOUND"},
            {"POST", "/v2/team\\app/blobs/uploads/", "400", "NAME_INVALID"},
            {"POST", "/v2/team%5Capp/blobs/uploads/", "400", "NAME_INVALID"},
            {"POST", "/v2/" + overlong + "/blobs/uploads/", "400", "NAME_INVALID"},
            {"POST", "/v2/team/app/blobs/uploads/?mount=" + digest + "&from=team/../team/app", "400", "NAME_INVALID"},
            {"POST", "/v2/team/app/blobs/uploads/?mount=" + digest + "&from=team%2F..%2Fteam%2Fapp", "400", "NAME_INVALID"},
            {"PUT", "/v2/team/app/manifests/..%2F..%2Fv1", "400", "TAG_INVALID"},
            {"PUT", "/v2/team/app/manifests/%2e%2e", "400", "TAG_INVALID"},
            {"DELETE", "/v2/team/app/blobs/..%2F" + digest, "400", "DIGEST_INVALID"},
            {"DELETE", "/v2/team/app/../app/blobs/" + digest, "400", "NAME_INVALID"},
            {"GET", "/v2/team/app/blobs/..%2F..%2F..%2Fetc%2Fpasswd", "400", "DIGEST_INVALID"},
        };
        java.util.TreeMap<String, Long> before = io.entrepot.testing.StorageSnapshot.of(server.storage());

        for (String[] attempt : attempts) {
            io.entrepot.testing.RawHttp.Response response = io.entrepot.testing.RawHttp.send(server.port(), attempt[0], attempt[1],
                    "{}".getBytes(StandardCharsets.UTF_8), "Authorization", ALICE, "Content-Type", "application/octet-stream");

            String request = attempt[0] + " " + attempt[1];
            assertThat(response.status()).as(request).isEqualTo(Integer.parseInt(attempt[2]));
            assertThat(JSON.readTree(response.body()).path("errors").path(0).path("code").asText()).as(request).isEqualTo(attempt[3]);
        }
        assertThat(io.entrepot.testing.StorageSnapshot.of(server.storage())).isEqualTo(before);
        assertThat(client.head("v2/team/app/blobs/" + digest, "Authorization", ALICE).statusCode()).isEqualTo(200);
    }

    @Test
    void dotDotRepository_rejectedWithCredentials() throws Exception {
        HttpResponse<byte[]> response = client.send("GET", "v2/team/../other/tags/list", null, "Authorization", ALICE);
        io.entrepot.testing.RawHttp.Response raw = io.entrepot.testing.RawHttp.send(server.port(), "GET",
                "/v2/team/../other/tags/list", null);

        assertThat(response.statusCode()).isIn(400, 404);
        assertThat(raw.status()).isEqualTo(401);
    }

    @Test
    void oversizeAuthorizationHeader_rejectedWithoutServerError() {
        String huge = "Basic " + "A".repeat(64 * 1024);

        HttpResponse<byte[]> response = client.send("GET", "v2/", null, "Authorization", huge);

        assertThat(response.statusCode()).isEqualTo(431);
    }

    @Test
    void pushAndDelete_areAudited() throws Exception {
        byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
        byte[] layer = "layer bytes".getBytes(StandardCharsets.UTF_8);
        String configDigest = push("team/app", config);
        String layerDigest = push("team/app", layer);
        byte[] manifest = """
                {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",\
                "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%d},\
                "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"%s","size":%d}]}"""
                .formatted(configDigest, config.length, layerDigest, layer.length).getBytes(StandardCharsets.UTF_8);

        HttpResponse<byte[]> put = client.send("PUT", "v2/team/app/manifests/v1", manifest,
                "Content-Type", "application/vnd.oci.image.manifest.v1+json", "Authorization", ALICE);
        String manifestDigest = RegistryClient.sha256(manifest);
        HttpResponse<byte[]> delete = client.send("DELETE", "v2/team/app/manifests/" + manifestDigest, null, "Authorization", ALICE);

        assertThat(put.statusCode()).isEqualTo(201);
        assertThat(delete.statusCode()).isEqualTo(202);
        List<JsonNode> audit = auditLines(4);
        assertThat(audit).extracting(line -> line.path("action").asText())
                .containsExactly("blob.push", "blob.push", "manifest.push", "manifest.delete");
        assertThat(audit.get(0).path("digest").asText()).isEqualTo(configDigest);
        assertThat(audit.get(2).path("reference").asText()).isEqualTo("v1");
        assertThat(audit.get(2).path("digest").asText()).isEqualTo(manifestDigest);
        assertThat(audit.get(3).path("reference").asText()).isEqualTo(manifestDigest);
        assertThat(audit).allSatisfy(line -> {
            assertThat(line.path("user").asText()).isEqualTo("alice");
            assertThat(line.path("result").asText()).isEqualTo("success");
            assertThat(line.path("repository").asText()).isEqualTo("team/app");
            assertThat(line.path("time").asText()).isNotEmpty();
            assertThat(line.path("request_id").asText()).isNotEmpty();
        });
    }

    @Test
    void failedPush_isAuditedAsFailure() throws Exception {
        HttpResponse<byte[]> put = client.send("PUT", "v2/team/app/manifests/v1", "not json".getBytes(StandardCharsets.UTF_8),
                "Content-Type", "application/vnd.oci.image.manifest.v1+json", "Authorization", ALICE);

        assertThat(put.statusCode()).isEqualTo(400);
        JsonNode line = auditLines(1).get(0);
        assertThat(line.path("action").asText()).isEqualTo("manifest.push");
        assertThat(line.path("result").asText()).isEqualTo("failure");
        assertThat(line.path("status").asInt()).isEqualTo(400);
    }

    @Test
    void otherHashFormat_stopsStart() throws Exception {
        Path file = Files.writeString(dir.resolve("md5"), "bob:$apr1$abcdefgh$0123456789abcdefghijkl\n");
        RegistryConfig config = config(new AuthConfig.Htpasswd("r", file));

        assertThatThrownBy(() -> RegistryServer.start(config)).isInstanceOf(IOException.class)
                .hasMessageContaining("user bob").hasMessageContaining("not bcrypt");
    }

    private String push(String repository, byte[] content) {
        String digest = RegistryClient.sha256(content);
        HttpResponse<byte[]> response = client.send("POST", "v2/" + repository + "/blobs/uploads/?digest=" + digest, content,
                "Content-Type", "application/octet-stream", "Authorization", ALICE);
        assertThat(response.statusCode()).isEqualTo(201);
        return digest;
    }

    private RegistryConfig config(AuthConfig auth) {
        RegistryConfig base = TestConfigs.config(TestConfigs.filesystem(dir.resolve("storage")), true);
        return new RegistryConfig(base.version(), base.log(), base.storage(), base.http(), auth, new AuditConfig(auditFile, false));
    }

    /** Waits for {@code count} lines: a served request is recorded just after its response is sent. */
    private List<JsonNode> auditLines(int count) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        List<JsonNode> lines = auditLines();
        while (lines.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(20);
            lines = auditLines();
        }
        return lines;
    }

    private List<JsonNode> auditLines() throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        if (Files.exists(auditFile)) {
            for (String line : Files.readAllLines(auditFile)) {
                lines.add(JSON.readTree(line));
            }
        }
        return lines;
    }

    private static String errorCode(HttpResponse<byte[]> response) throws IOException {
        return JSON.readTree(response.body()).path("errors").path(0).path("code").asText();
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
