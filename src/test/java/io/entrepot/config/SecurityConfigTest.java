package io.entrepot.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loads the {@code http.tls}, {@code auth} and {@code audit} sections. */
class SecurityConfigTest {

    @TempDir
    Path directory;

    private Path certificate;
    private Path key;
    private Path htpasswd;

    @BeforeEach
    void createFiles() throws IOException {
        // The loader checks only that the files are readable; their content is read at start-up.
        certificate = Files.writeString(directory.resolve("domain.crt"), "certificate");
        key = Files.writeString(directory.resolve("domain.key"), "key");
        htpasswd = Files.writeString(directory.resolve("htpasswd"), "");
    }

    @Test
    void tls_mapsEveryKey() throws Exception {
        String yaml = withHttp("""
                  tls:
                    certificate: %s
                    key: %s
                    clientcas: [%s, %s]
                    minimumtls: tls1.3
                    ciphersuites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]
                """.formatted(certificate, key, certificate, key));

        TlsConfig tls = load(yaml, Map.of()).config().http().tls();

        assertThat(tls.certificate()).isEqualTo(certificate);
        assertThat(tls.key()).isEqualTo(key);
        assertThat(tls.clientCas()).containsExactly(certificate, key);
        assertThat(tls.mutual()).isTrue();
        assertThat(tls.minimumVersion()).isEqualTo(TlsConfig.Version.TLS_1_3);
        assertThat(tls.cipherSuites()).containsExactly("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    }

    @Test
    void tls_defaultsToTls12WithoutClientCas() throws Exception {
        String yaml = withHttp("  tls: {certificate: %s, key: %s}\n".formatted(certificate, key));

        TlsConfig tls = load(yaml, Map.of()).config().http().tls();

        assertThat(tls.minimumVersion()).isEqualTo(TlsConfig.Version.TLS_1_2);
        assertThat(tls.mutual()).isFalse();
        assertThat(tls.cipherSuites()).isEmpty();
    }

    @Test
    void tls_fromEnvironment() throws Exception {
        Map<String, String> environment = Map.of(
                "REGISTRY_HTTP_TLS_CERTIFICATE", certificate.toString(),
                "REGISTRY_HTTP_TLS_KEY", key.toString());

        TlsConfig tls = load(MINIMAL, environment).config().http().tls();

        assertThat(tls.certificate()).isEqualTo(certificate);
    }

    @Test
    void tls_invalidValues_eachReported() throws IOException {
        String yaml = withHttp("""
                  tls:
                    key: /nonexistent/domain.key
                    clientcas: [/nonexistent/ca.crt]
                    minimumtls: tls1.0
                    ciphersuites: [TLS_MADE_UP_SUITE]
                """);

        ConfigException error = loadExpectingFailure(yaml);

        assertThat(error.problems()).extracting(ConfigProblem::key).containsExactlyInAnyOrder(
                "http.tls.certificate", "http.tls.key", "http.tls.clientcas", "http.tls.minimumtls", "http.tls.ciphersuites");
        assertThat(error.getMessage())
                .contains("http.tls.certificate: missing, must name a readable file")
                .contains("http.tls.key: file not found or not readable")
                .contains("file not found or not readable: /nonexistent/ca.crt")
                .contains("TLS 1.0 and 1.1 are disabled in the JDK, use tls1.2 or tls1.3")
                .contains("cipher suite TLS_MADE_UP_SUITE is not supported by this JDK");
    }

    @Test
    void tls_letsEncrypt_stopsStartup() throws IOException {
        String yaml = withHttp("  tls:\n    letsencrypt: {cachefile: /cache, email: admin@example.com}\n");

        ConfigException error = loadExpectingFailure(yaml);

        assertThat(error.problems()).extracting(ConfigProblem::key).contains("http.tls.letsencrypt");
    }

    @Test
    void htpasswd_mapsRealmAndPath() throws Exception {
        String yaml = MINIMAL + "auth:\n  htpasswd:\n    realm: Entrepot\n    path: " + htpasswd
                + "\n    maxfailures: 5\n    failurewindow: 10m\n";

        AuthConfig auth = load(yaml, Map.of()).config().auth();

        assertThat(auth).isEqualTo(new AuthConfig.Htpasswd("Entrepot", htpasswd, 5, java.time.Duration.ofMinutes(10)));
    }

    @Test
    void htpasswd_defaultRealmAndEnvironment() throws Exception {
        AuthConfig auth = load(MINIMAL, Map.of("REGISTRY_AUTH_HTPASSWD_PATH", htpasswd.toString())).config().auth();

        assertThat(auth).isEqualTo(new AuthConfig.Htpasswd("basic-realm", htpasswd));
    }

    @Test
    void htpasswd_missingFileOrBadRealm_rejected() throws IOException {
        String yaml = MINIMAL + "auth:\n  htpasswd:\n    realm: 'a\"b'\n    path: /nonexistent/htpasswd\n    maxfailures: -1\n";

        ConfigException error = loadExpectingFailure(yaml);

        assertThat(error.problems()).extracting(ConfigProblem::key)
                .containsExactlyInAnyOrder("auth.htpasswd.realm", "auth.htpasswd.path", "auth.htpasswd.maxfailures");
    }

    @Test
    void unsupportedSchemes_eachStopStartup() throws IOException {
        String yaml = MINIMAL + """
                auth:
                  silly:
                    realm: silly-realm
                  ldap:
                    url: ldap://127.0.0.1
                """;

        ConfigException error = loadExpectingFailure(yaml);

        assertThat(error.problems()).extracting(ConfigProblem::key).contains("auth.silly", "auth.ldap");
        assertThat(error.getMessage()).contains("auth.silly: this authentication scheme is not supported yet");
    }

    @Test
    void token_mapsEveryKey() throws Exception {
        String yaml = MINIMAL + """
                auth:
                  token:
                    realm: https://auth.example.com/token
                    service: registry.example.com
                    issuer: auth.example.com
                    rootcertbundle: %s
                """.formatted(certificate);

        AuthConfig auth = load(yaml, Map.of()).config().auth();

        assertThat(auth).isEqualTo(new AuthConfig.Token("https://auth.example.com/token", "registry.example.com", "auth.example.com", certificate, null));
    }

    @Test
    void token_missingKeysAndUnsupportedOptions_eachReported() throws IOException {
        String yaml = MINIMAL + """
                auth:
                  token:
                    autoredirect: true
                    signingalgorithms: [HS256]
                """;

        ConfigException error = loadExpectingFailure(yaml);

        assertThat(error.problems()).extracting(ConfigProblem::key).containsExactlyInAnyOrder("auth.token.realm", "auth.token.service",
                "auth.token.issuer", "auth.token", "auth.token.autoredirect", "auth.token.signingalgorithms");
    }

    @Test
    void twoSchemes_rejected() throws IOException {
        String yaml = MINIMAL + "auth:\n  htpasswd: {path: " + htpasswd + "}\n  token: {realm: https://auth.example.com/token}\n";

        ConfigException error = loadExpectingFailure(yaml);

        assertThat(error.getMessage()).contains("configure one authentication scheme, found htpasswd, token");
    }

    @Test
    void audit_pathOrStdout() throws Exception {
        Path file = directory.resolve("audit.log");

        AuditConfig toFile = load(MINIMAL + "audit:\n  path: " + file + "\n", Map.of()).config().audit();
        AuditConfig toStdout = load(MINIMAL, Map.of("REGISTRY_AUDIT_PATH", "stdout")).config().audit();
        AuditConfig absent = load(MINIMAL, Map.of()).config().audit();

        assertThat(toFile).isEqualTo(new AuditConfig(file, false));
        assertThat(toStdout).isEqualTo(new AuditConfig(null, true));
        assertThat(absent.enabled()).isFalse();
    }

    @Test
    void audit_missingDirectory_rejected() throws IOException {
        ConfigException error = loadExpectingFailure(MINIMAL + "audit:\n  path: /nonexistent/dir/audit.log\n");

        assertThat(error.getMessage()).contains("audit.path: directory not found: /nonexistent/dir");
    }

    @Test
    void printer_masksTlsKeyPath() throws Exception {
        String yaml = withHttp("  tls: {certificate: %s, key: %s}\n".formatted(certificate, key));

        String printed = ConfigPrinter.toYaml(load(yaml, Map.of()));

        assertThat(printed).contains("*****").doesNotContain(key.toString());
    }

    private static final String MINIMAL = """
            version: 0.1
            storage: {inmemory: {}}
            """;

    private static String withHttp(String httpChildren) {
        return MINIMAL + "http:\n" + httpChildren;
    }

    private LoadedConfig load(String yaml, Map<String, String> environment) throws IOException, ConfigException {
        Path file = directory.resolve("config.yml");
        Files.writeString(file, yaml);
        return ConfigLoader.load(file, environment);
    }

    private ConfigException loadExpectingFailure(String yaml) throws IOException {
        Path file = directory.resolve("config.yml");
        Files.writeString(file, yaml);
        ConfigException error = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(file, Map.of()));
        assertThat(error).as("ConfigException").isNotNull();
        return error;
    }

}
