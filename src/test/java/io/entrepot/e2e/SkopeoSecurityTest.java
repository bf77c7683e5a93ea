package io.entrepot.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import io.entrepot.config.ConfigLoader;
import io.entrepot.http.RegistryServer;
import io.entrepot.testing.TestCertificates;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * Pushes and pulls with skopeo over TLS: with a client certificate under mutual TLS, with
 * htpasswd credentials given by {@code --creds} and by an auth file, and with per-project roles.
 */
@Tag("external")
class SkopeoSecurityTest {

    @TempDir
    static Path imageDir;

    private static OciLayout source;
    private static String digest;

    @TempDir
    Path workDir;

    private RegistryServer server;
    private String registry;

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
    void mutualTls_pushAndPullWithClientCertificate() throws Exception {
        TestCertificates serverCa = TestCertificates.newCa("server CA");
        TestCertificates clientCa = TestCertificates.newCa("client CA");
        Path certDir = clientCertDir("ci", serverCa, clientCa.issueClient("ci"));
        Path caOnlyDir = clientCertDir("anonymous", serverCa, null);
        start(serverCa, "    clientcas: [" + TestCertificates.write(workDir.resolve("client-ca.crt"), TestCertificates.pem(clientCa.caCertificate())) + "]\n", "");

        Skopeo.skopeo(List.of("copy", "--quiet", "--preserve-digests", "--dest-cert-dir", certDir.toString(),
                source.reference("v1"), registry + "/team/app:v1"));
        byte[] manifest = Skopeo.skopeo(List.of("inspect", "--raw", "--cert-dir", certDir.toString(), registry + "/team/app:v1"));
        AssertionError withoutCertificate = assertThrows(AssertionError.class, () -> Skopeo.skopeo(List.of(
                "inspect", "--raw", "--cert-dir", caOnlyDir.toString(), registry + "/team/app:v1")));

        assertThat(OciLayout.sha256(manifest)).isEqualTo(digest);
        assertThat(withoutCertificate.getMessage()).containsAnyOf("certificate", "tls", "handshake", "connection reset");
        OciLayout copy = new OciLayout(workDir.resolve("copy"));
        Skopeo.skopeo(List.of("copy", "--quiet", "--src-cert-dir", certDir.toString(), registry + "/team/app:v1", copy.reference("v1")));
        source.assertCopiedTo(copy, "v1");
    }

    @Test
    void htpasswd_credsAndAuthFile() throws Exception {
        TestCertificates serverCa = TestCertificates.newCa("server CA");
        Path certDir = clientCertDir("trust", serverCa, null);
        Path htpasswd = Files.writeString(workDir.resolve("htpasswd"), "alice:" + BCrypt.hashpw("s3cret", BCrypt.gensalt(4)).replace("$2a$", "$2y$") + "\n");
        Path audit = workDir.resolve("audit.log");
        start(serverCa, "", """
                auth:
                  htpasswd:
                    realm: Entrepot
                    path: %s
                audit:
                  path: %s
                """.formatted(htpasswd, audit));
        String host = registry.substring("docker://".length());
        Path authFile = Files.writeString(workDir.resolve("auth.json"), """
                {"auths": {"%s": {"auth": "%s"}}}
                """.formatted(host, Base64.getEncoder().encodeToString("alice:s3cret".getBytes(StandardCharsets.UTF_8))));

        Skopeo.skopeo(List.of("copy", "--quiet", "--preserve-digests", "--dest-cert-dir", certDir.toString(),
                "--dest-creds", "alice:s3cret", source.reference("v1"), registry + "/team/app:v1"));
        byte[] manifest = Skopeo.skopeo(List.of("inspect", "--raw", "--cert-dir", certDir.toString(), "--authfile", authFile.toString(),
                registry + "/team/app:v1"));
        AssertionError wrongPassword = assertThrows(AssertionError.class, () -> Skopeo.skopeo(List.of("inspect", "--raw",
                "--cert-dir", certDir.toString(), "--creds", "alice:guess", registry + "/team/app:v1")));
        AssertionError noCredentials = assertThrows(AssertionError.class, () -> Skopeo.skopeo(List.of("inspect", "--raw",
                "--cert-dir", certDir.toString(), "--no-creds", registry + "/team/app:v1")));

        assertThat(OciLayout.sha256(manifest)).isEqualTo(digest);
        assertThat(wrongPassword.getMessage()).containsIgnoringCase("unauthorized");
        assertThat(noCredentials.getMessage()).containsIgnoringCase("unauthorized");
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(audit)) {
            lines.add(OciLayout.JSON.readTree(line));
        }
        assertThat(lines).filteredOn(line -> line.path("action").asText().equals("manifest.push"))
                .singleElement().satisfies(line -> {
                    assertThat(line.path("user").asText()).isEqualTo("alice");
                    assertThat(line.path("reference").asText()).isEqualTo("v1");
                    assertThat(line.path("digest").asText()).isEqualTo(digest);
                });
        assertThat(lines).filteredOn(line -> line.path("action").asText().equals("blob.push")).hasSize(5);
        assertThat(lines).filteredOn(line -> line.path("action").asText().equals("auth.failure"))
                .isNotEmpty().allSatisfy(line -> assertThat(line.path("user").asText()).isEqualTo("alice"));
        assertThat(Files.readString(audit)).doesNotContain("s3cret").doesNotContain("guess");
    }

    @Test
    void projectRoles_grantPushAndPull() throws Exception {
        TestCertificates serverCa = TestCertificates.newCa("server CA");
        Path certDir = clientCertDir("trust", serverCa, null);
        String hash = BCrypt.hashpw("s3cret", BCrypt.gensalt(4)).replace("$2a$", "$2y$");
        Path htpasswd = Files.writeString(workDir.resolve("htpasswd"), "dave:" + hash + "\nrita:" + hash + "\n");
        Path audit = workDir.resolve("audit.log");
        start(serverCa, "", """
                auth:
                  htpasswd:
                    realm: Entrepot
                    path: %s
                access:
                  projects:
                    team-a:
                      users: {dave: developer, rita: reader}
                    pub:
                      anonymous: pull
                      users: {dave: developer}
                audit:
                  path: %s
                """.formatted(htpasswd, audit));
        String cert = "--cert-dir=" + certDir;
        String destCert = "--dest-cert-dir=" + certDir;

        Skopeo.skopeo(List.of("copy", "--quiet", "--preserve-digests", destCert, "--dest-creds", "dave:s3cret",
                source.reference("v1"), registry + "/team-a/app:v1"));
        Skopeo.skopeo(List.of("copy", "--quiet", "--preserve-digests", destCert, "--dest-creds", "dave:s3cret",
                source.reference("v1"), registry + "/pub/base:v1"));
        byte[] readerManifest = Skopeo.skopeo(List.of("inspect", "--raw", cert, "--creds", "rita:s3cret", registry + "/team-a/app:v1"));
        AssertionError readerPush = assertThrows(AssertionError.class, () -> Skopeo.skopeo(List.of("copy", "--quiet", destCert,
                "--dest-creds", "rita:s3cret", source.reference("v1"), registry + "/team-a/app:v2")));
        AssertionError anonymousClosed = assertThrows(AssertionError.class, () -> Skopeo.skopeo(List.of("inspect", "--raw", cert,
                "--no-creds", registry + "/team-a/app:v1")));
        OciLayout anonymousCopy = new OciLayout(workDir.resolve("anonymous-copy"));
        Skopeo.skopeo(List.of("copy", "--quiet", "--src-cert-dir", certDir.toString(), "--src-no-creds", registry + "/pub/base:v1",
                anonymousCopy.reference("v1")));

        assertThat(OciLayout.sha256(readerManifest)).isEqualTo(digest);
        assertThat(readerPush.getMessage()).containsIgnoringCase("denied").contains("rita may not push to repository team-a/app");
        assertThat(anonymousClosed.getMessage()).containsIgnoringCase("unauthorized");
        source.assertCopiedTo(anonymousCopy, "v1");
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(audit)) {
            lines.add(OciLayout.JSON.readTree(line));
        }
        assertThat(lines).filteredOn(line -> line.path("action").asText().equals("access.denied")).isNotEmpty().allSatisfy(line -> {
            assertThat(line.path("user").asText()).isEqualTo("rita");
            assertThat(line.path("result").asText()).isEqualTo("denied");
            assertThat(line.path("repository").asText()).isEqualTo("team-a/app");
        });
        assertThat(lines).filteredOn(line -> line.path("action").asText().equals("manifest.push"))
                .extracting(line -> line.path("user").asText()).containsOnly("dave");
    }

    @Test
    void externalToken_throughTokenServer() throws Exception {
        TestCertificates serverCa = TestCertificates.newCa("server CA");
        Path certDir = clientCertDir("trust", serverCa, null);
        java.security.KeyPair signingKeys = TestCertificates.rsaKeys();
        TestCertificates.Issued signer = TestCertificates.newCa("token CA").issueServer(signingKeys);
        Path bundle = TestCertificates.write(workDir.resolve("token-signer.crt"), TestCertificates.pem(signer.certificate()));
        Path audit = workDir.resolve("audit.log");
        // alice may push; bob may only pull.
        try (TestTokenServer tokens = new TestTokenServer(signingKeys, io.entrepot.auth.KeyIds.libtrustKeyId(signingKeys.getPublic()), "test-issuer",
                Map.of("alice", "alice-pw", "bob", "bob-pw"),
                (user, requested) -> requested.stream().filter(action -> user.equals("alice") || action.equals("pull")).toList())) {
            start(serverCa, "", """
                    auth:
                      token:
                        realm: %s
                        service: entrepot-test
                        issuer: test-issuer
                        rootcertbundle: %s
                    audit:
                      path: %s
                    """.formatted(tokens.realm(), bundle, audit));

            Skopeo.skopeo(List.of("copy", "--quiet", "--preserve-digests", "--dest-cert-dir", certDir.toString(),
                    "--dest-creds", "alice:alice-pw", source.reference("v1"), registry + "/team/app:v1"));
            byte[] pulled = Skopeo.skopeo(List.of("inspect", "--raw", "--cert-dir", certDir.toString(), "--creds", "bob:bob-pw",
                    registry + "/team/app:v1"));
            AssertionError bobPush = assertThrows(AssertionError.class, () -> Skopeo.skopeo(List.of("copy", "--quiet",
                    "--dest-cert-dir", certDir.toString(), "--dest-creds", "bob:bob-pw", source.reference("v1"), registry + "/team/app:v2")));

            assertThat(OciLayout.sha256(pulled)).isEqualTo(digest);
            assertThat(bobPush.getMessage()).containsIgnoringCase("unauthorized");
        }
        List<String> lines = Files.readAllLines(audit);
        assertThat(lines).anySatisfy(line -> assertThat(line).contains("\"user\":\"alice\"").contains("\"action\":\"manifest.push\""));
        assertThat(lines).anySatisfy(line -> assertThat(line).contains("\"user\":\"bob\"").contains("\"action\":\"access.denied\""));
        assertThat(lines).noneSatisfy(line -> assertThat(line).contains("\"user\":\"bob\"").contains("\"result\":\"success\""));
    }

    /** Writes a skopeo certificate directory: {@code ca.crt}, and {@code client.cert} with {@code client.key} when given. */
    private Path clientCertDir(String name, TestCertificates serverCa, TestCertificates.Issued client) {
        Path dir = workDir.resolve("certs-" + name);
        TestCertificates.write(dir.resolve("ca.crt"), TestCertificates.pem(serverCa.caCertificate()));
        if (client != null) {
            TestCertificates.write(dir.resolve("client.cert"), TestCertificates.pem(client.certificate()));
            TestCertificates.write(dir.resolve("client.key"), TestCertificates.pkcs8Pem(client.keys().getPrivate()));
        }
        return dir;
    }

    /** Starts Entrepot from a config.yml with TLS, extra {@code http.tls} keys and extra top-level sections. */
    private void start(TestCertificates ca, String extraTls, String extraSections) throws Exception {
        TestCertificates.Issued issued = ca.issueServer(TestCertificates.rsaKeys());
        Path certificate = TestCertificates.write(workDir.resolve("server.crt"), TestCertificates.pem(issued.certificate()));
        Path key = TestCertificates.write(workDir.resolve("server.key"), TestCertificates.traditionalPem(issued.keys().getPrivate()));
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
                %s%s""".formatted(workDir.resolve("storage"), certificate, key, extraTls, extraSections);
        Path config = Files.writeString(workDir.resolve("config.yml"), yaml);
        server = RegistryServer.start(ConfigLoader.load(config, Map.of()).config());
        registry = "docker://127.0.0.1:" + server.port();
    }
}
