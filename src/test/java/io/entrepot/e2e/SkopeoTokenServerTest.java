package io.entrepot.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import io.entrepot.auth.Robots;
import io.entrepot.config.ConfigLoader;
import io.entrepot.http.RegistryServer;
import io.entrepot.testing.LdapTestServer;
import io.entrepot.testing.TestCertificates;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.crypto.bcrypt.BCrypt;

/**
 * Pushes and pulls with skopeo over TLS against the built-in token server ({@code auth.builtin})
 * with each identity backend: htpasswd, LDAP (UnboundID's in-memory directory on loopback, over
 * StartTLS) and a robot account, with {@code --creds} and with an auth file, including an auth
 * file that contains a refresh token ({@code identitytoken}).
 */
@Tag("external")
class SkopeoTokenServerTest {

    private static final String SERVICE = "entrepot-e2e";

    @TempDir
    static Path imageDir;

    private static OciLayout source;
    private static String digest;

    @TempDir
    Path workDir;

    private RegistryServer server;
    private String registry;
    private Path certDir;
    private Path audit;
    private TestCertificates serverCa;

    @BeforeAll
    static void buildImage() {
        ExternalTools.require("skopeo");
        source = TestImages.createLayout(imageDir.resolve("source"));
        digest = TestImages.buildMultiLayerImage(source, "v1", imageDir);
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void htpasswdBackend_credsAndAuthFile() throws Exception {
        Path htpasswd = Files.writeString(workDir.resolve("htpasswd"), "alice:" + BCrypt.hashpw("s3cret", BCrypt.gensalt(4)).replace("$2a$", "$2y$") + "\n");
        start("    htpasswd:\n      path: " + htpasswd + "\n");

        push("alice:s3cret");
        byte[] manifest = Skopeo.skopeo(List.of("inspect", "--raw", "--cert-dir", certDir.toString(), "--authfile",
                authFile("alice", "s3cret", null).toString(), registry + "/team/app:v1"));
        AssertionError wrongPassword = assertThrows(AssertionError.class, () -> Skopeo.skopeo(List.of("inspect", "--raw",
                "--cert-dir", certDir.toString(), "--creds", "alice:guess", registry + "/team/app:v1")));
        AssertionError anonymous = assertThrows(AssertionError.class, () -> Skopeo.skopeo(List.of("inspect", "--raw",
                "--cert-dir", certDir.toString(), "--no-creds", registry + "/team/app:v1")));

        assertThat(OciLayout.sha256(manifest)).isEqualTo(digest);
        assertThat(wrongPassword.getMessage()).containsIgnoringCase("unauthorized");
        assertThat(anonymous.getMessage()).containsIgnoringCase("unauthorized");
        pullAndCompare("alice:s3cret");
        List<JsonNode> lines = auditLines();
        assertThat(lines).filteredOn(line -> line.path("action").asText().equals("login"))
                .isNotEmpty().allSatisfy(line -> assertThat(line.path("user").asText()).isEqualTo("alice"));
        assertThat(lines).filteredOn(line -> line.path("action").asText().equals("manifest.push")).singleElement()
                .satisfies(line -> assertThat(line.path("user").asText()).isEqualTo("alice"));
        assertThat(lines).filteredOn(line -> line.path("action").asText().equals("auth.failure")).isNotEmpty();
        assertThat(Files.readString(audit)).doesNotContain("s3cret").doesNotContain("guess");
    }

    @Test
    void ldapBackend_overStartTls() throws Exception {
        try (LdapTestServer ldap = new LdapTestServer(workDir)) {
            start("""
                        ldap:
                          url: %s
                          starttls: true
                          cacert: %s
                          binddn: %s
                          bindpassword: %s
                          userbase: %s
                          groupbase: %s
                    """.formatted(ldap.ldapUrl(), ldap.caFile(), LdapTestServer.SERVICE_DN, LdapTestServer.SERVICE_PASSWORD,
                    LdapTestServer.USERS, LdapTestServer.GROUPS));

            push("alice:alice-pw");
            AssertionError wrongPassword = assertThrows(AssertionError.class, () -> Skopeo.skopeo(List.of("inspect", "--raw",
                    "--cert-dir", certDir.toString(), "--creds", "alice:bob-pw", registry + "/team/app:v1")));
            byte[] manifest = Skopeo.skopeo(List.of("inspect", "--raw", "--cert-dir", certDir.toString(), "--authfile",
                    authFile("bob", "bob-pw", null).toString(), registry + "/team/app:v1"));

            assertThat(OciLayout.sha256(manifest)).isEqualTo(digest);
            assertThat(wrongPassword.getMessage()).containsIgnoringCase("unauthorized");
            pullAndCompare("bob:bob-pw");
        }
    }

    @Test
    void ldapGroupGrant_membersPushOthersDenied() throws Exception {
        try (LdapTestServer ldap = new LdapTestServer(workDir)) {
            // carol is in the directory but in no group; bob is in developers only.
            ldap.addUser("carol", "carol-pw");
            start("""
                        ldap:
                          url: %s
                          binddn: %s
                          bindpassword: %s
                          userbase: %s
                          groupbase: %s
                    access:
                      projects:
                        team:
                          groups: {developers: developer}
                    """.formatted(ldap.ldapUrl(), LdapTestServer.SERVICE_DN, LdapTestServer.SERVICE_PASSWORD, LdapTestServer.USERS,
                    LdapTestServer.GROUPS));

            push("bob:bob-pw");
            AssertionError carolPush = assertThrows(AssertionError.class, () -> Skopeo.skopeo(List.of("copy", "--quiet",
                    "--dest-cert-dir", certDir.toString(), "--dest-creds", "carol:carol-pw", source.reference("v1"),
                    registry + "/team/other:v1")));
            AssertionError carolPull = assertThrows(AssertionError.class, () -> Skopeo.skopeo(List.of("inspect", "--raw",
                    "--cert-dir", certDir.toString(), "--creds", "carol:carol-pw", registry + "/team/app:v1")));
            pullAndCompare("bob:bob-pw");
            AssertionError inspectAfterRejectedPush = assertThrows(AssertionError.class, () -> Skopeo.skopeo(List.of("inspect", "--raw",
                    "--cert-dir", certDir.toString(), "--creds", "bob:bob-pw", registry + "/team/other:v1")));

            assertThat(carolPush.getMessage()).contains("requested access to the resource is denied");
            assertThat(carolPull.getMessage()).containsIgnoringCase("unauthorized");
            assertThat(inspectAfterRejectedPush.getMessage()).containsIgnoringCase("manifest unknown");
        }
        List<JsonNode> lines = auditLines();
        assertThat(lines).filteredOn(line -> line.path("action").asText().equals("login"))
                .extracting(line -> line.path("user").asText()).contains("bob", "carol");
        assertThat(lines).filteredOn(line -> line.path("action").asText().equals("manifest.push")).singleElement().satisfies(line -> {
            assertThat(line.path("user").asText()).isEqualTo("bob");
            assertThat(line.path("repository").asText()).isEqualTo("team/app");
            assertThat(line.path("result").asText()).isEqualTo("success");
        });
        assertThat(lines).filteredOn(line -> line.path("action").asText().equals("access.denied")).isNotEmpty().allSatisfy(line -> {
            assertThat(line.path("user").asText()).isEqualTo("carol");
            assertThat(line.path("result").asText()).isEqualTo("denied");
        });
        assertThat(lines).filteredOn(line -> line.path("action").asText().equals("access.denied"))
                .extracting(line -> line.path("repository").asText()).contains("team/other", "team/app");
        assertThat(lines).filteredOn(line -> line.path("user").asText().equals("carol") && !line.path("action").asText().equals("login"))
                .isNotEmpty().allSatisfy(line -> assertThat(line.path("result").asText()).isEqualTo("denied"));
        assertThat(Files.readString(audit)).doesNotContain("bob-pw").doesNotContain("carol-pw").doesNotContain(LdapTestServer.SERVICE_PASSWORD);
    }

    @Test
    void robotAccount_pushesAndPulls() throws Exception {
        Path robotsFile = workDir.resolve("robots.json");
        Robots.Created robot = Robots.load(robotsFile).create("ci", "e2e", Instant.now());
        Robots.load(robotsFile).with(robot.robot()).save(robotsFile);
        start("    robots:\n      path: " + robotsFile + "\n");

        push(robot.robot().name() + ":" + robot.secret());
        pullAndCompare(robot.robot().name() + ":" + robot.secret());
        AssertionError wrongSecret = assertThrows(AssertionError.class, () -> Skopeo.skopeo(List.of("inspect", "--raw",
                "--cert-dir", certDir.toString(), "--creds", robot.robot().name() + ":not-the-secret", registry + "/team/app:v1")));

        assertThat(wrongSecret.getMessage()).containsIgnoringCase("unauthorized");
        assertThat(auditLines()).filteredOn(line -> line.path("action").asText().equals("manifest.push")).singleElement()
                .satisfies(line -> assertThat(line.path("user").asText()).isEqualTo("robot_ci"));
        assertThat(Files.readString(audit)).doesNotContain(robot.secret());
    }

    @Test
    void authFileWithRefreshToken_pulls() throws Exception {
        Path htpasswd = Files.writeString(workDir.resolve("htpasswd"), "alice:" + BCrypt.hashpw("s3cret", BCrypt.gensalt(4)) + "\n");
        start("    htpasswd:\n      path: " + htpasswd + "\n");
        push("alice:s3cret");
        // docker login stores the refresh token of a password grant with access_type=offline as identitytoken.
        HttpClient client = HttpClient.newBuilder().sslContext(TestCertificates.clientContext(serverCa.caCertificate(), null)).build();
        HttpResponse<byte[]> login = client.send(HttpRequest.newBuilder(server.baseUri().resolve("token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=password&username=alice&password=s3cret&client_id=e2e"
                        + "&access_type=offline&service=" + SERVICE)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(login.statusCode()).isEqualTo(200);
        String refreshToken = OciLayout.JSON.readTree(login.body()).path("refresh_token").asText();

        byte[] manifest = Skopeo.skopeo(List.of("inspect", "--raw", "--cert-dir", certDir.toString(), "--authfile",
                authFile("alice", "", refreshToken).toString(), registry + "/team/app:v1"));
        AssertionError forged = assertThrows(AssertionError.class, () -> Skopeo.skopeo(List.of("inspect", "--raw",
                "--cert-dir", certDir.toString(), "--authfile", authFile("alice", "", refreshToken + "x").toString(), registry + "/team/app:v1")));

        assertThat(OciLayout.sha256(manifest)).isEqualTo(digest);
        assertThat(forged.getMessage()).containsIgnoringCase("unauthorized");
        assertThat(auditLines()).filteredOn(line -> line.path("action").asText().equals("login"))
                .allSatisfy(line -> assertThat(line.path("user").asText()).isEqualTo("alice"));
        assertThat(Files.readString(audit)).doesNotContain(refreshToken);
    }

    private void push(String creds) {
        Skopeo.skopeo(List.of("copy", "--quiet", "--preserve-digests", "--dest-cert-dir", certDir.toString(),
                "--dest-creds", creds, source.reference("v1"), registry + "/team/app:v1"));
    }

    private void pullAndCompare(String creds) {
        OciLayout copy = new OciLayout(workDir.resolve("copy-" + creds.substring(0, creds.indexOf(':'))));
        Skopeo.skopeo(List.of("copy", "--quiet", "--src-cert-dir", certDir.toString(), "--src-creds", creds,
                registry + "/team/app:v1", copy.reference("v1")));
        source.assertCopiedTo(copy, "v1");
    }

    /** Writes a containers auth file for the registry: user and password, or a refresh token as {@code identitytoken}. */
    private Path authFile(String user, String password, String identityToken) throws Exception {
        String host = registry.substring("docker://".length());
        String auth = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        String entry = identityToken == null ? "{\"auth\": \"%s\"}".formatted(auth)
                : "{\"auth\": \"%s\", \"identitytoken\": \"%s\"}".formatted(auth, identityToken);
        return Files.writeString(workDir.resolve("auth-" + user + "-" + System.nanoTime() + ".json"),
                "{\"auths\": {\"%s\": %s}}\n".formatted(host, entry));
    }

    private List<JsonNode> auditLines() throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(audit)) {
            lines.add(OciLayout.JSON.readTree(line));
        }
        return lines;
    }

    /** Starts Entrepot over TLS with {@code auth.builtin} and the given backend keys, indented under it. */
    private void start(String backends) throws Exception {
        serverCa = TestCertificates.newCa("server CA");
        TestCertificates ca = serverCa;
        certDir = workDir.resolve("certs");
        TestCertificates.write(certDir.resolve("ca.crt"), TestCertificates.pem(ca.caCertificate()));
        TestCertificates.Issued issued = ca.issueServer(TestCertificates.rsaKeys());
        Path certificate = TestCertificates.write(workDir.resolve("server.crt"), TestCertificates.pem(issued.certificate()));
        Path key = TestCertificates.write(workDir.resolve("server.key"), TestCertificates.traditionalPem(issued.keys().getPrivate()));
        Path tokenKey = TestCertificates.write(workDir.resolve("token.key"), TestCertificates.pkcs8Pem(TestCertificates.ecKeys().getPrivate()));

        audit = workDir.resolve("audit.log");
        String yaml = """
                version: 0.1
                storage:
                  filesystem:
                    rootdirectory: %s
                http:
                  addr: 127.0.0.1:0
                  tls:
                    certificate: %s
                    key: %s
                auth:
                  builtin:
                    service: %s
                    issuer: entrepot-e2e-issuer
                    key: %s
                %saudit:
                  path: %s
                """.formatted(workDir.resolve("storage"), certificate, key, SERVICE, tokenKey, backends, audit);

        Path config = Files.writeString(workDir.resolve("config.yml"), yaml);
        server = RegistryServer.start(ConfigLoader.load(config, Map.of()).config());
        registry = "docker://127.0.0.1:" + server.port();
    }
}
