package io.entrepot.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigPrinterTest {

    private static final YAMLMapper YAML = new YAMLMapper();

    @TempDir
    Path directory;

    @Test
    void toYaml_loadedConfig_secretsMasked() throws Exception {
        String yaml = ConfigLoaderTest.REGISTRY_IMAGE_CONFIG.replace("http:\n", "http:\n  secret: http-secret-value\n") + """
                redis:
                  addr: localhost:6379
                  password: redis-password-value
                proxy:
                  remoteurl: https://registry-1.docker.io
                  username: mirror
                  password: proxy-password-value
                """;
        Path file = directory.resolve("config.yml");
        Files.writeString(file, yaml);

        LoadedConfig loaded = ConfigLoader.load(file, Map.of("REGISTRY_HTTP_ADDR", ":5001"));
        String printed = ConfigPrinter.toYaml(loaded);
        JsonNode reread = YAML.readTree(printed);

        assertThat(printed).doesNotContain("http-secret-value", "redis-password-value", "proxy-password-value");
        assertThat(reread.at("/http/secret").asText()).isEqualTo("*****");
        assertThat(reread.at("/redis/password").asText()).isEqualTo("*****");
        assertThat(reread.at("/proxy/password").asText()).isEqualTo("*****");
        assertThat(reread.at("/proxy/username").asText()).isEqualTo("mirror");
        assertThat(reread.at("/version").isTextual()).isTrue();
        assertThat(reread.at("/http/addr").asText()).isEqualTo(":5001");
        assertThat(reread.at("/storage/filesystem/maxthreads").asInt()).isEqualTo(100);
        assertThat(reread.at("/storage/maintenance/uploadpurging/age").asText()).isEqualTo("168h");
        assertThat(reread.at("/storage/maintenance/uploadpurging/interval").asText()).isEqualTo("24h");
        assertThat(reread.at("/http/maxmanifestsize").asLong()).isEqualTo(HttpConfig.DEFAULT_MAX_MANIFEST_SIZE);
        assertThat(reread.at("/health/storagedriver/threshold").asInt()).isEqualTo(3);
        assertThat(loaded.effectiveTree().at("/http/secret").asText()).isEqualTo("http-secret-value");
    }

    @Test
    void toYaml_retentionAndSchedule_roundTrip() throws Exception {
        Path file = directory.resolve("retention.yml");
        Files.writeString(file, """
                version: 0.1
                storage:
                  inmemory:
                  maintenance:
                    gc:
                      enabled: true
                      schedule: "30 3 * * SUN"
                retention:
                  interval: 1440m
                  rules:
                    - repositories: team/**
                      keeplatest: 10
                      keeptags: [latest, "v*"]
                      removetagsolderthan: 720h
                  immutabletags:
                    - repositories: prod/*
                      tags: ["v*"]
                """);
        LoadedConfig loaded = ConfigLoader.load(file, Map.of());

        String printed = ConfigPrinter.toYaml(loaded);
        JsonNode reread = YAML.readTree(printed);

        assertThat(reread.at("/retention/interval").asText()).isEqualTo("24h");
        assertThat(reread.at("/retention/dryrun").asBoolean(true)).isFalse();
        assertThat(reread.at("/retention/rules/0/repositories").asText()).isEqualTo("team/**");
        assertThat(reread.at("/retention/rules/0/keeplatest").asInt()).isEqualTo(10);
        assertThat(reread.at("/retention/rules/0/keeptags/1").asText()).isEqualTo("v*");
        assertThat(reread.at("/retention/rules/0/removetagsolderthan").asText()).isEqualTo("720h");
        assertThat(reread.at("/retention/immutabletags/0/tags/0").asText()).isEqualTo("v*");
        assertThat(reread.at("/storage/maintenance/gc/schedule").asText()).isEqualTo("30 3 * * SUN");
        assertThat(reread.at("/storage/maintenance/gc/timezone").asText()).isEqualTo("UTC");
        assertThat(reread.at("/storage/maintenance/gc/interval").isMissingNode()).isTrue();
        Path printedFile = directory.resolve("printed-retention.yml");
        Files.writeString(printedFile, printed);
        assertThat(ConfigLoader.load(printedFile, Map.of()).config()).isEqualTo(loaded.config());
    }

    @Test
    void toYaml_defaults_reloadUnchanged() throws Exception {
        LoadedConfig loaded = ConfigLoader.defaults(Path.of("/data/registry"));
        Path file = directory.resolve("printed.yml");
        Files.writeString(file, ConfigPrinter.toYaml(loaded));

        LoadedConfig reloaded = ConfigLoader.load(file, Map.of());

        assertThat(reloaded.config()).isEqualTo(loaded.config());
        assertThat(reloaded.warnings()).isEmpty();
    }

    @Test
    void toYaml_driverAndTlsCredentials_masked() throws Exception {
        JsonNode tree = YAML.readTree("""
                storage:
                  s3:
                    accesskey: AKIAEXAMPLE
                    secretkey: s3-secret
                    region: us-east-1
                  azure:
                    accountname: store
                    accountkey: azure-key
                http:
                  tls:
                    certificate: /certs/domain.crt
                    key: /certs/domain.key
                  debug:
                    key: not-under-tls
                middleware:
                  storage:
                    - name: cloudfront
                      options:
                        privatekey: /keys/cloudfront.pem
                """);

        JsonNode printed = YAML.readTree(ConfigPrinter.toYaml(tree));

        assertThat(printed.at("/storage/s3/accesskey").asText()).isEqualTo("*****");
        assertThat(printed.at("/storage/s3/secretkey").asText()).isEqualTo("*****");
        assertThat(printed.at("/storage/s3/region").asText()).isEqualTo("us-east-1");
        assertThat(printed.at("/storage/azure/accountkey").asText()).isEqualTo("*****");
        assertThat(printed.at("/http/tls/key").asText()).isEqualTo("*****");
        assertThat(printed.at("/http/tls/certificate").asText()).isEqualTo("/certs/domain.crt");
        assertThat(printed.at("/http/debug/key").asText()).isEqualTo("not-under-tls");
        assertThat(printed.at("/middleware/storage/0/options/privatekey").asText()).isEqualTo("*****");
        assertThat(tree.at("/storage/s3/secretkey").asText()).isEqualTo("s3-secret");
    }

    @Test
    void toYaml_emptySecret_leftEmpty() throws Exception {
        JsonNode tree = YAML.readTree("http:\n  secret:\n");

        JsonNode printed = YAML.readTree(ConfigPrinter.toYaml(tree));

        assertThat(printed.at("/http/secret").isNull()).isTrue();
    }

    @Test
    void toYaml_authorizationHeaderAndUrlPasswords_masked() throws Exception {
        String yaml = ConfigLoaderTest.REGISTRY_IMAGE_CONFIG + """
                notifications:
                  endpoints:
                    - name: hook
                      url: http://hook-user:hook-password@127.0.0.1:9/events
                      headers:
                        Authorization: [Bearer token-value]
                proxy:
                  remoteurl: https://mirror:remote-password@127.0.0.1:9/
                """;
        Path file = directory.resolve("config.yml");
        Files.writeString(file, yaml);

        String printed = ConfigPrinter.toYaml(ConfigLoader.load(file, Map.of()));

        assertThat(printed).doesNotContain("token-value", "hook-password", "hook-user", "remote-password");
        assertThat(printed).contains("http://*****@127.0.0.1:9/events");
        assertThat(printed).contains("https://*****@127.0.0.1:9/");
    }

    @Test
    void toYaml_builtinAuth_masksBindPassword() throws Exception {
        Path htpasswd = Files.writeString(directory.resolve("htpasswd"), "");
        Path file = Files.writeString(directory.resolve("config.yml"), builtinAuthStart() + """
                    ldap:
                      url: ldap://127.0.0.1:3389
                      binddn: cn=reader,dc=example,dc=org
                      bindpassword: bind-secret-value
                      userbase: ou=people,dc=example,dc=org
                      groupbase: ou=groups,dc=example,dc=org
                    htpasswd:
                      path: %s
                access:
                  projects:
                    team-a:
                      groups: {developers: developer}
                      users: {carol: reader, alice: maintainer}
                    public:
                      anonymous: pull
                """.formatted(htpasswd));

        LoadedConfig loaded = ConfigLoader.load(file, Map.of());
        String printed = ConfigPrinter.toYaml(loaded);
        JsonNode reread = YAML.readTree(printed);

        assertThat(printed).doesNotContain("bind-secret-value");
        JsonNode builtin = reread.at("/auth/builtin");
        assertThat(builtin.path("expiration").asText()).isEqualTo("5m");
        assertThat(builtin.path("refreshexpiration").asText()).isEqualTo("24h");
        assertThat(builtin.path("maxfailures").asInt()).isEqualTo(AuthConfig.Htpasswd.DEFAULT_MAX_FAILURES);
        assertThat(builtin.path("failurewindow").asText()).isEqualTo("5m");
        assertThat(builtin.has("realm")).as("realm derived per request, so not printed").isFalse();
        assertThat(builtin.at("/ldap/bindpassword").asText()).isEqualTo("*****");
        assertThat(builtin.at("/ldap/binddn").asText()).isEqualTo("cn=reader,dc=example,dc=org");
        assertThat(builtin.at("/ldap/starttls").asBoolean(true)).isFalse();
        assertThat(builtin.at("/ldap/userfilter").asText()).isEqualTo(IdentityBackendConfig.Ldap.DEFAULT_USER_FILTER);
        assertThat(builtin.at("/ldap/groupfilter").asText()).isEqualTo(IdentityBackendConfig.Ldap.DEFAULT_GROUP_FILTER);
        assertThat(builtin.at("/ldap/groupattribute").asText()).isEqualTo(IdentityBackendConfig.Ldap.DEFAULT_GROUP_ATTRIBUTE);
        assertThat(builtin.at("/htpasswd/path").asText()).isEqualTo(htpasswd.toString());

        JsonNode access = reread.path("access");
        assertThat(access.path("default").asText()).isEqualTo("none");
        assertThat(access.at("/admins/users").isArray()).isTrue();
        assertThat(access.at("/admins/users")).isEmpty();
        assertThat(access.at("/projects/team-a/anonymous").asText()).isEqualTo("none");
        assertThat(access.at("/projects/team-a/groups/developers").asText()).isEqualTo("developer");
        assertThat(access.at("/projects/team-a/users/alice").asText()).isEqualTo("maintainer");
        assertThat(access.at("/projects/team-a/users/carol").asText()).isEqualTo("reader");
        assertThat(access.at("/projects/public/anonymous").asText()).isEqualTo("pull");
        assertThat(access.path("projects").fieldNames()).toIterable().containsExactly("team-a", "public");
        assertThat(loaded.effectiveTree().at("/auth/builtin/ldap/bindpassword").asText()).isEqualTo("bind-secret-value");
    }

    @Test
    void toYaml_builtinAuth_reloadsUnchanged() throws Exception {
        Path htpasswd = Files.writeString(directory.resolve("htpasswd"), "");
        Path file = Files.writeString(directory.resolve("config.yml"), builtinAuthStart() + """
                    robots:
                      path: %s
                    htpasswd:
                      path: %s
                access:
                  admins: {users: [root]}
                  default: reader
                  projects:
                    "*":
                      robots: {ci: developer}
                """.formatted(directory.resolve("robots.json"), htpasswd));
        LoadedConfig loaded = ConfigLoader.load(file, Map.of());
        Path printed = Files.writeString(directory.resolve("printed.yml"), ConfigPrinter.toYaml(loaded));

        LoadedConfig reloaded = ConfigLoader.load(printed, Map.of());

        assertThat(reloaded.config().auth()).isEqualTo(loaded.config().auth());
        assertThat(reloaded.config().access()).isEqualTo(loaded.config().access());
        assertThat(reloaded.warnings()).isEmpty();
    }

    @Test
    void toYaml_htpasswdAuth_showsFailureLimitDefaults() throws Exception {
        Path htpasswd = Files.writeString(directory.resolve("htpasswd"), "");
        Path file = Files.writeString(directory.resolve("config.yml"), """
                version: 0.1
                storage:
                  inmemory:
                auth:
                  htpasswd:
                    path: %s
                """.formatted(htpasswd));

        JsonNode reread = YAML.readTree(ConfigPrinter.toYaml(ConfigLoader.load(file, Map.of())));

        assertThat(reread.at("/auth/htpasswd/realm").asText()).isEqualTo(SecurityConfigMapper.DEFAULT_HTPASSWD_REALM);
        assertThat(reread.at("/auth/htpasswd/maxfailures").asInt()).isEqualTo(AuthConfig.Htpasswd.DEFAULT_MAX_FAILURES);
        assertThat(reread.at("/auth/htpasswd/failurewindow").asText()).isEqualTo("5m");
        assertThat(reread.has("access")).isFalse();
    }

    /** Returns a configuration up to the first identity backend of {@code auth.builtin}, with its key file written. */
    private String builtinAuthStart() throws java.io.IOException {
        Path key = Files.writeString(directory.resolve("token.key"), "key");
        return """
                version: 0.1
                storage:
                  inmemory:
                auth:
                  builtin:
                    service: registry.example.com
                    issuer: entrepot
                    key: %s
                """.formatted(key);
    }
}
