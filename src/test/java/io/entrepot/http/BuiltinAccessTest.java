package io.entrepot.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entrepot.auth.Robots;
import io.entrepot.config.AccessConfig;
import io.entrepot.config.AccessConfig.Role;
import io.entrepot.config.AuditConfig;
import io.entrepot.config.AuthConfig;
import io.entrepot.config.IdentityBackendConfig;
import io.entrepot.config.RegistryConfig;
import io.entrepot.testing.RegistryClient;
import io.entrepot.testing.TestCertificates;
import io.entrepot.testing.TestConfigs;
import io.entrepot.testing.TestManifests;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.crypto.bcrypt.BCrypt;

/** The built-in token server with an {@code access} section: tokens carry only what the rules grant. */
class BuiltinAccessTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SERVICE = "registry.test";

    @TempDir
    Path dir;

    private RegistryServer server;
    private RegistryClient client;
    private String robotSecret;
    private String layerDigest;

    @BeforeEach
    void start() throws Exception {
        Path key = TestCertificates.write(dir.resolve("token.key"), TestCertificates.traditionalPem(TestCertificates.ecKeys().getPrivate()));
        String hash = BCrypt.hashpw("pw", BCrypt.gensalt(4));
        Path htpasswd = Files.writeString(dir.resolve("htpasswd"), "root:" + hash + "\nrita:" + hash + "\nbob:" + hash + "\n");
        Path robotsFile = dir.resolve("robots.json");
        Robots.Created robot = Robots.load(robotsFile).create("ci", "CI pipeline", Instant.now());
        Robots.load(robotsFile).with(robot.robot()).save(robotsFile);
        robotSecret = robot.secret();

        AuthConfig.Builtin builtin = new AuthConfig.Builtin(null, SERVICE, "entrepot", key, Duration.ofMinutes(5), Duration.ofHours(1),
                List.of(new IdentityBackendConfig.Htpasswd(htpasswd), new IdentityBackendConfig.Robots(robotsFile)), 10, Duration.ofMinutes(5));
        AccessConfig access = new AccessConfig(true, new AccessConfig.Grantees(Set.of("root"), Set.of(), Set.of()), null, List.of(
                new AccessConfig.Project("team-a", false, Map.of("rita", Role.READER), Map.of(), Map.of("robot_ci", Role.DEVELOPER)),
                new AccessConfig.Project("team-b", false, Map.of("bob", Role.DEVELOPER), Map.of(), Map.of()),
                new AccessConfig.Project("pub", true, Map.of(), Map.of(), Map.of())));
        RegistryConfig base = TestConfigs.config(TestConfigs.filesystem(dir.resolve("storage")), true);
        server = RegistryServer.start(new RegistryConfig(base.version(), base.log(), base.storage(), base.http(), builtin,
                new AuditConfig(dir.resolve("audit.log"), false)).withAccess(builtin, access));
        client = new RegistryClient(server.baseUri());

        byte[] layer = "layer".getBytes(StandardCharsets.UTF_8);
        layerDigest = RegistryClient.sha256(layer);
        for (String repository : List.of("team-a/app", "team-b/app", "pub/base")) {
            String token = token("root", "pw", "repository:" + repository + ":pull,push");
            assertThat(client.send("POST", "v2/" + repository + "/blobs/uploads/?digest=" + layerDigest, layer,
                    "Content-Type", "application/octet-stream", "Authorization", "Bearer " + token).statusCode()).isEqualTo(201);
            byte[] manifest = TestManifests.image(TestManifests.Blob.of(layer), List.of(TestManifests.Blob.of(layer)), null);
            assertThat(client.send("PUT", "v2/" + repository + "/manifests/v1", manifest,
                    "Content-Type", TestManifests.OCI_MANIFEST, "Authorization", "Bearer " + token).statusCode()).isEqualTo(201);
        }
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void readerToken_lacksPushAndPushFails() throws Exception {
        String token = token("rita", "pw", "repository:team-a/app:pull,push");

        HttpResponse<byte[]> pull = client.get("v2/team-a/app/manifests/v1", "Authorization", "Bearer " + token,
                "Accept", TestManifests.OCI_MANIFEST);
        HttpResponse<byte[]> push = client.send("POST", "v2/team-a/app/blobs/uploads/", null, "Authorization", "Bearer " + token);

        assertThat(grantedActions(token)).containsExactly("pull");
        assertThat(pull.statusCode()).isEqualTo(200);
        assertThat(push.statusCode()).isEqualTo(401);
        assertThat(push.headers().firstValue("WWW-Authenticate").orElse("")).contains("error=\"insufficient_scope\"");
    }

    @Test
    void robotGrant_letsRobotPush() throws Exception {
        String token = token("robot_ci", robotSecret, "repository:team-a/app:pull,push");

        assertThat(grantedActions(token)).containsExactly("pull", "push");
        assertThat(client.send("POST", "v2/team-a/app/blobs/uploads/", null, "Authorization", "Bearer " + token).statusCode()).isEqualTo(202);
    }

    @Test
    void anonymousToken_pullsOnlyFromOpenProject() throws Exception {
        String open = anonymousToken("repository:pub/base:pull");
        String closed = anonymousToken("repository:team-a/app:pull");

        assertThat(grantedActions(open)).containsExactly("pull");
        assertThat(grantedActions(closed)).isEmpty();
        assertThat(client.get("v2/pub/base/manifests/v1", "Authorization", "Bearer " + open, "Accept", TestManifests.OCI_MANIFEST)
                .statusCode()).isEqualTo(200);
    }

    @Test
    void catalog_isFilteredForTokenPrincipal() throws Exception {
        assertThat(catalog(token("bob", "pw", null))).containsExactly("pub/base", "team-b/app");
        assertThat(catalog(token("root", "pw", null))).containsExactly("pub/base", "team-a/app", "team-b/app");
    }

    @Test
    void mount_fromUnreadableRepository_startsPlainUpload() throws Exception {
        String token = token("bob", "pw", "repository:team-b/copy:pull,push repository:team-a/app:pull");

        HttpResponse<byte[]> response = client.send("POST", "v2/team-b/copy/blobs/uploads/?mount=" + layerDigest + "&from=team-a/app",
                null, "Authorization", "Bearer " + token);

        assertThat(response.statusCode()).isEqualTo(202);
    }

    private List<String> catalog(String token) throws Exception {
        HttpResponse<byte[]> response = client.get("v2/_catalog", "Authorization", "Bearer " + token);
        assertThat(response.statusCode()).isEqualTo(200);
        List<String> names = new ArrayList<>();
        JSON.readTree(response.body()).path("repositories").forEach(name -> names.add(name.asText()));
        return names;
    }

    private String token(String user, String password, String scope) throws Exception {
        String basic = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return issue(scope, "Authorization", basic);
    }

    private String anonymousToken(String scope) throws Exception {
        return issue(scope);
    }

    private String issue(String scope, String... headers) throws Exception {
        String query = "token?service=" + SERVICE;
        if (scope != null) {
            for (String part : scope.split(" ")) {
                query += "&scope=" + URLEncoder.encode(part, StandardCharsets.UTF_8);
            }
        }
        HttpResponse<byte[]> response = client.get(query, headers);
        assertThat(response.statusCode()).as("token for %s", scope).isEqualTo(200);
        return JSON.readTree(response.body()).path("token").asText();
    }

    /** Returns the actions of the token's first access entry, or none. */
    private static List<String> grantedActions(String token) throws Exception {
        JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(token.split("\\.")[1]));
        List<String> actions = new ArrayList<>();
        claims.path("access").path(0).path("actions").forEach(action -> actions.add(action.asText()));
        return actions;
    }
}
