package io.entrepot.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.entrepot.config.AuditConfig;
import io.entrepot.config.AuthConfig;
import io.entrepot.config.HttpConfig;
import io.entrepot.config.RegistryConfig;
import io.entrepot.testing.AuditLines;
import io.entrepot.testing.RegistryClient;
import io.entrepot.testing.TestConfigs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.crypto.bcrypt.BCrypt;

/** The client address behind a proxy: failed-login limits and the audit log count the address a trusted proxy reports. */
class ClientAddressTest {

    private static final int MAX_FAILURES = 1;

    @TempDir
    Path dir;

    private Path auditFile;

    private RegistryServer start(List<String> trustedProxies) throws Exception {
        String hash = BCrypt.hashpw("alice-pw", BCrypt.gensalt(4)).replace("$2a$", "$2y$");
        Path htpasswd = Files.writeString(dir.resolve("htpasswd"), "alice:" + hash + "\n");
        auditFile = dir.resolve("audit.log");
        RegistryConfig base = TestConfigs.config(TestConfigs.filesystem(dir.resolve("storage")), true);
        HttpConfig http = base.http();
        HttpConfig proxied = new HttpConfig(http.addr(), http.net(), http.prefix(), http.host(), http.relativeUrls(), http.headers(),
                http.drainTimeout(), http.debugAddr(), http.maxManifestSize(), trustedProxies, Duration.ZERO);
        AuthConfig auth = new AuthConfig.Htpasswd("Entrepot Registry", htpasswd, MAX_FAILURES, Duration.ofMinutes(5));
        return RegistryServer.start(new RegistryConfig(base.version(), base.log(), base.storage(), proxied, auth, new AuditConfig(auditFile, false)));
    }

    /** Fails logins under as many names as it takes to block the address the failures are counted against. */
    private static void spray(RegistryClient client, String... headers) {
        for (int i = 0; i < MAX_FAILURES * io.entrepot.auth.LoginThrottle.ADDRESS_FACTOR; i++) {
            assertThat(login(client, "user" + i, "Winter2026!", headers)).as("spray %d", i).isEqualTo(401);
        }
    }

    private static int login(RegistryClient client, String user, String password, String... headers) {
        List<String> all = new ArrayList<>(List.of(headers));
        all.add("Authorization");
        all.add("Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        return client.send("GET", "v2/", null, all.toArray(String[]::new)).statusCode();
    }

    @Test
    void trustedProxy_forwardedClientIsCountedAndAudited() throws Exception {
        try (RegistryServer server = start(List.of("127.0.0.1"))) {
            RegistryClient client = new RegistryClient(server.baseUri());
            spray(client, "X-Forwarded-For", "10.0.0.1");

            assertThat(login(client, "alice", "alice-pw", "X-Forwarded-For", "10.0.0.1")).as("sprayer's address").isEqualTo(429);
            assertThat(login(client, "alice", "alice-pw", "X-Forwarded-For", "10.0.0.2")).as("another client of the proxy").isEqualTo(200);
            assertThat(login(client, "bob", "typo", "X-Forwarded-For", "10.0.0.2")).isEqualTo(401);
            assertThat(AuditLines.await(auditFile, 13)).extracting(line -> line.path("client_address").asText()).containsOnly("10.0.0.1", "10.0.0.2");
        }
    }

    @Test
    void untrustedPeer_forwardedForIgnored() throws Exception {
        try (RegistryServer server = start(List.of("10.0.0.0/8"))) {
            RegistryClient client = new RegistryClient(server.baseUri());
            spray(client, "X-Forwarded-For", "10.0.0.1");

            assertThat(login(client, "alice", "alice-pw", "X-Forwarded-For", "10.0.0.2")).isEqualTo(429);
            assertThat(AuditLines.await(auditFile, 11)).extracting(line -> line.path("client_address").asText()).containsOnly("127.0.0.1");
        }
    }

    @Test
    void trustedProxy_headerForms() throws Exception {
        // Each row: the headers a proxy sent, then the client address they report.
        String[][] rows = {
            {"X-Forwarded-For", "192.0.2.7", "192.0.2.7"},
            {"X-Forwarded-For", "192.0.2.7:4711", "192.0.2.7"},
            // A client's own X-Forwarded-For, appended to by the trusted proxy: the rightmost untrusted entry counts.
            {"X-Forwarded-For", "198.51.100.66, 192.0.2.8", "192.0.2.8"},
            // Chained trusted proxies are skipped.
            {"X-Forwarded-For", "192.0.2.9, 127.0.0.1", "192.0.2.9"},
            {"X-Forwarded-For", "[2001:db8::1]:4711", "2001:db8:0:0:0:0:0:1"},
            {"X-Forwarded-For", "unknown", "127.0.0.1"},
            {"X-Forwarded-For", "not-an-address.example, 192.0.2.10", "192.0.2.10"},
            {"Forwarded", "for=192.0.2.11;proto=https", "192.0.2.11"},
            {"Forwarded", "for=198.51.100.66, for=\"[2001:db8::2]:80\";by=127.0.0.1", "2001:db8:0:0:0:0:0:2"},
            {"Forwarded", "for=_hidden", "127.0.0.1"},
        };
        try (RegistryServer server = start(List.of("127.0.0.1"))) {
            RegistryClient client = new RegistryClient(server.baseUri());
            for (int i = 0; i < rows.length; i++) {
                assertThat(login(client, "row" + i, "wrong", rows[i][0], rows[i][1])).isEqualTo(401);
            }

            List<JsonNode> lines = AuditLines.await(auditFile, rows.length);
            for (int i = 0; i < rows.length; i++) {
                String user = "row" + i;
                String expected = rows[i][2];
                assertThat(lines).filteredOn(line -> line.path("user").asText().equals(user)).singleElement()
                        .satisfies(line -> assertThat(line.path("client_address").asText()).isEqualTo(expected));
            }
        }
    }

}
