package io.entrepot.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loads {@code auth.builtin}, the built-in token server, and its identity backends. */
class BuiltinAuthConfigTest {

    private static final String STORAGE = "version: 0.1\nstorage:\n  inmemory:\n";

    @TempDir
    Path dir;

    private Path key;
    private Path htpasswd;
    private Path ca;

    @BeforeEach
    void createFiles() throws Exception {
        // The loader checks only that the files are readable, because their content is read at start-up.
        key = Files.writeString(dir.resolve("token.key"), "key");
        htpasswd = Files.writeString(dir.resolve("htpasswd"), "");
        ca = Files.writeString(dir.resolve("ca.crt"), "ca");
    }

    @Test
    void everyKey_isMapped() throws Exception {
        String yaml = STORAGE + """
                auth:
                  builtin:
                    realm: https://registry.example.com/token
                    service: registry.example.com
                    issuer: entrepot
                    key: %s
                    expiration: 10m
                    refreshexpiration: 12h
                    maxfailures: 3
                    failurewindow: 1m
                    ldap:
                      url: ldaps://ldap.example.com:636
                      cacert: %s
                      binddn: cn=reader,dc=example,dc=org
                      bindpassword: reader-secret
                      userbase: ou=people,dc=example,dc=org
                      userfilter: (&(objectClass=person)(uid=%%s))
                      groupbase: ou=groups,dc=example,dc=org
                      groupfilter: (memberUid=%%u)
                      groupattribute: cn
                    htpasswd:
                      path: %s
                    robots:
                      path: %s
                """.formatted(key, ca, htpasswd, dir.resolve("robots.json"));

        AuthConfig.Builtin builtin = (AuthConfig.Builtin) load(yaml, Map.of()).config().auth();

        assertThat(builtin.realm()).isEqualTo("https://registry.example.com/token");
        assertThat(builtin.service()).isEqualTo("registry.example.com");
        assertThat(builtin.issuer()).isEqualTo("entrepot");
        assertThat(builtin.key()).isEqualTo(key);
        assertThat(builtin.expiration()).isEqualTo(Duration.ofMinutes(10));
        assertThat(builtin.refreshExpiration()).isEqualTo(Duration.ofHours(12));
        assertThat(builtin.maxFailures()).isEqualTo(3);
        assertThat(builtin.failureWindow()).isEqualTo(Duration.ofMinutes(1));
        assertThat(builtin.backends()).hasSize(3);
        assertThat(builtin.backends().get(0)).isEqualTo(new IdentityBackendConfig.Ldap(URI.create("ldaps://ldap.example.com:636"), false, ca,
                "cn=reader,dc=example,dc=org", "reader-secret", "ou=people,dc=example,dc=org", "(&(objectClass=person)(uid=%s))",
                "ou=groups,dc=example,dc=org", "(memberUid=%u)", "cn"));
        assertThat(builtin.backends().get(1)).isEqualTo(new IdentityBackendConfig.Htpasswd(htpasswd));
        assertThat(builtin.backends().get(2)).isEqualTo(new IdentityBackendConfig.Robots(dir.resolve("robots.json")));
        assertThat(builtin.backends().get(0).toString()).doesNotContain("reader-secret");
    }

    @Test
    void defaults_applyToOptionalKeys() throws Exception {
        AuthConfig.Builtin builtin = (AuthConfig.Builtin) load(minimal(), Map.of()).config().auth();

        assertThat(builtin.realm()).isNull();
        assertThat(builtin.expiration()).isEqualTo(Duration.ofMinutes(5));
        assertThat(builtin.refreshExpiration()).isEqualTo(Duration.ofHours(24));
        assertThat(builtin.maxFailures()).isEqualTo(AuthConfig.Htpasswd.DEFAULT_MAX_FAILURES);
    }

    @Test
    void environmentOverrides_reachNestedKeys() throws Exception {
        String yaml = minimal() + "    ldap:\n      url: ldap://127.0.0.1:389\n      starttls: true\n      userbase: ou=people\n";

        LoadedConfig loaded = load(yaml, Map.of(
                "REGISTRY_AUTH_BUILTIN_LDAP_BINDDN", "cn=reader",
                "REGISTRY_AUTH_BUILTIN_LDAP_BINDPASSWORD", "from-environment",
                "REGISTRY_AUTH_BUILTIN_EXPIRATION", "2m"));
        AuthConfig.Builtin builtin = (AuthConfig.Builtin) loaded.config().auth();

        assertThat(builtin.expiration()).isEqualTo(Duration.ofMinutes(2));
        IdentityBackendConfig.Ldap ldap = (IdentityBackendConfig.Ldap) builtin.backends().get(1);
        assertThat(ldap.bindDn()).isEqualTo("cn=reader");
        assertThat(ldap.bindPassword()).isEqualTo("from-environment");
        assertThat(ldap.startTls()).isTrue();
        assertThat(ConfigPrinter.toYaml(loaded)).contains("bindpassword: '" + ConfigPrinter.MASK + "'").doesNotContain("from-environment");
    }

    @Test
    void invalidValues_reportedTogether() {
        String yaml = STORAGE + """
                auth:
                  builtin:
                    realm: /token
                    expiration: 30s
                    ldap:
                      url: ldaps://ldap.example.com/dc=example
                      starttls: true
                      insecureskipverify: true
                      binddn: cn=reader
                      userfilter: (uid=%s
                    robots:
                      path: /nonexistent/dir/robots.json
                    startls: true
                """;

        ConfigException error = catchThrowableOfType(ConfigException.class, () -> load(yaml, Map.of()));

        assertThat(error.problems()).extracting(ConfigProblem::key).containsExactlyInAnyOrder(
                "auth.builtin.realm", "auth.builtin.service", "auth.builtin.issuer", "auth.builtin.key", "auth.builtin.expiration",
                "auth.builtin.ldap.url", "auth.builtin.ldap.insecureskipverify", "auth.builtin.ldap.bindpassword",
                "auth.builtin.ldap.userbase", "auth.builtin.ldap.userfilter", "auth.builtin.robots.path", "auth.builtin.startls");
        assertThat(error.getMessage())
                .contains("auth.builtin.key: missing, must name the PEM RSA or EC private key")
                .contains("auth.builtin.expiration: must be at least 60s")
                .contains("ldaps://ldap.example.com/dc=example")
                .contains("set cacert to the PEM file")
                .contains("auth.builtin.startls: unknown key of the built-in token server");
    }

    @Test
    void startTlsWithLdaps_andNoBackend_areRejected() {
        String conflict = minimal() + "    ldap:\n      url: ldaps://127.0.0.1\n      starttls: true\n      userbase: ou=people\n";
        String noBackend = STORAGE + "auth:\n  builtin:\n    service: s\n    issuer: i\n    key: " + key + "\n";

        ConfigException conflictError = catchThrowableOfType(ConfigException.class, () -> load(conflict, Map.of()));
        ConfigException noBackendError = catchThrowableOfType(ConfigException.class, () -> load(noBackend, Map.of()));

        assertThat(conflictError.getMessage()).contains("auth.builtin.ldap.starttls: cannot be combined with an ldaps:// url");
        assertThat(noBackendError.getMessage()).contains("auth.builtin: configure at least one identity backend");
    }

    @Test
    void misspeltBackend_isNotAlsoReportedAsMissing() {
        String yaml = STORAGE + "auth:\n  builtin:\n    service: s\n    issuer: i\n    key: " + key + "\n    htpaswd:\n      path: /x\n";

        ConfigException error = catchThrowableOfType(ConfigException.class, () -> load(yaml, Map.of()));

        assertThat(error.problems()).extracting(ConfigProblem::key).containsExactly("auth.builtin.htpaswd");
        assertThat(error.getMessage()).contains("auth.builtin.htpaswd: unknown key of the built-in token server, did you mean auth.builtin.htpasswd?");
    }

    private String minimal() {
        return STORAGE + """
                auth:
                  builtin:
                    service: registry.example.com
                    issuer: entrepot
                    key: %s
                    htpasswd:
                      path: %s
                """.formatted(key, htpasswd);
    }

    private LoadedConfig load(String yaml, Map<String, String> environment) throws Exception {
        Path file = Files.writeString(dir.resolve("config.yml"), yaml);
        return ConfigLoader.load(file, environment);
    }
}
