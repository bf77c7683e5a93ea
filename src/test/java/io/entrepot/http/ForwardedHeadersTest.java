package io.entrepot.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrepot.config.HttpConfig;
import io.entrepot.config.RegistryConfig;
import io.entrepot.testing.RegistryClient;
import io.entrepot.testing.TestConfigs;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Location headers behind a proxy: X-Forwarded-Proto and X-Forwarded-Host count only from trusted peers. */
class ForwardedHeadersTest {

    @TempDir
    Path root;

    private RegistryConfig config(String prefix, String host, boolean relative, List<String> trustedProxies) {
        RegistryConfig base = TestConfigs.config(TestConfigs.filesystem(root), false);
        HttpConfig http = TestConfigs.http(prefix, host, relative);
        return new RegistryConfig(base.version(), base.log(), base.storage(), new HttpConfig(http.addr(), http.net(), http.prefix(),
                http.host(), http.relativeUrls(), http.headers(), http.drainTimeout(), http.debugAddr(), http.maxManifestSize(),
                trustedProxies, Duration.ZERO));
    }

    private static String startUpload(RegistryServer server, String... headers) {
        HttpResponse<byte[]> response = new RegistryClient(server.baseUri()).send("POST", "v2/app/blobs/uploads/", null, headers);
        assertThat(response.statusCode()).isEqualTo(202);
        return response.headers().firstValue("Location").orElseThrow();
    }

    @Test
    void trustedPeer_forwardedHeaders_used() throws Exception {
        try (RegistryServer server = RegistryServer.start(config("/", null, false, List.of("127.0.0.0/8")))) {
            String location = startUpload(server, "X-Forwarded-Proto", "https", "X-Forwarded-Host", "registry.example.com");

            assertThat(location).startsWith("https://registry.example.com/v2/app/blobs/uploads/");
        }
    }

    @Test
    void trustedPeer_chainedHeaders_firstEntryUsed() throws Exception {
        try (RegistryServer server = RegistryServer.start(config("/", null, false, List.of("127.0.0.1", "::1")))) {
            String location = startUpload(server, "X-Forwarded-Proto", "https, http", "X-Forwarded-Host", "registry.example.com:8443, lb.internal");

            assertThat(location).startsWith("https://registry.example.com:8443/v2/app/blobs/uploads/");
        }
    }

    @Test
    void untrustedPeer_forwardedHeaders_ignored() throws Exception {
        try (RegistryServer server = RegistryServer.start(config("/", null, false, List.of("10.0.0.0/8")))) {
            String location = startUpload(server, "X-Forwarded-Proto", "https", "X-Forwarded-Host", "attacker.example");

            assertThat(location).startsWith("http://127.0.0.1:" + server.port() + "/v2/app/blobs/uploads/");
        }
    }

    @Test
    void noTrustedProxies_forwardedHeadersIgnored() throws Exception {
        try (RegistryServer server = RegistryServer.start(config("/", null, false, List.of()))) {
            String location = startUpload(server, "X-Forwarded-Proto", "https", "X-Forwarded-Host", "attacker.example");

            assertThat(location).startsWith("http://127.0.0.1:" + server.port() + "/");
        }
    }

    @Test
    void trustedPeer_malformedValues_ignored() throws Exception {
        try (RegistryServer server = RegistryServer.start(config("/", null, false, List.of("127.0.0.1")))) {
            String location = startUpload(server, "X-Forwarded-Proto", "javascript", "X-Forwarded-Host", "evil.example/path?x=");

            assertThat(location).startsWith("http://127.0.0.1:" + server.port() + "/v2/app/blobs/uploads/");
        }
    }

    @Test
    void configuredHost_winsOverForwardedHeaders() throws Exception {
        try (RegistryServer server = RegistryServer.start(config("/", "https://registry.example.org", false, List.of("127.0.0.1")))) {
            String location = startUpload(server, "X-Forwarded-Host", "other.example");

            assertThat(location).startsWith("https://registry.example.org/v2/app/blobs/uploads/");
        }
    }

    @Test
    void relativeUrls_prefixKept() throws Exception {
        try (RegistryServer server = RegistryServer.start(config("/registry/", null, true, List.of("127.0.0.1")))) {
            String location = startUpload(server, "X-Forwarded-Host", "registry.example.com");

            assertThat(location).startsWith("/registry/v2/app/blobs/uploads/");
        }
    }

    @Test
    void catalogLink_relativeWithPrefix() throws Exception {
        try (RegistryServer server = RegistryServer.start(config("/registry/", null, false, List.of("127.0.0.1")))) {
            RegistryClient client = new RegistryClient(server.baseUri());
            for (String repository : List.of("a/one", "a/two")) {
                byte[] config = "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
                String digest = client.pushBlob(repository, config);
                String manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                        + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + digest + "\",\"size\":2},"
                        + "\"layers\":[]}";
                assertThat(client.putManifest(repository, "v1", "application/vnd.oci.image.manifest.v1+json",
                        manifest.getBytes(java.nio.charset.StandardCharsets.UTF_8)).statusCode()).isEqualTo(201);
            }

            HttpResponse<byte[]> page = client.get("v2/_catalog?n=1", "X-Forwarded-Host", "registry.example.com");

            assertThat(page.headers().firstValue("Link")).hasValueSatisfying(link -> assertThat(link).startsWith("</registry/v2/_catalog?n=1&last="));
        }
    }
}
