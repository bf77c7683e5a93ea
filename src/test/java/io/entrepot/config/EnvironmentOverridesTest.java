package io.entrepot.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvironmentOverridesTest {

    @TempDir
    Path directory;

    @Test
    void load_rootDirectoryVariable_replacesFileValue() throws Exception {
        RegistryConfig config = load(ConfigLoaderTest.REGISTRY_IMAGE_CONFIG,
                Map.of("REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY", "/x")).config();

        assertThat(config.storage().driver()).isEqualTo(new StorageConfig.Filesystem(Path.of("/x"), 100));
    }

    @Test
    void load_httpAddrVariable_replacesFileValue() throws Exception {
        RegistryConfig config = load(ConfigLoaderTest.REGISTRY_IMAGE_CONFIG, Map.of("REGISTRY_HTTP_ADDR", ":5001")).config();

        assertThat(config.http().addr()).isEqualTo(":5001");
    }

    @Test
    void load_logLevelVariable_createsMissingKey() throws Exception {
        LoadedConfig loaded = load(ConfigLoaderTest.REGISTRY_IMAGE_CONFIG, Map.of("REGISTRY_LOG_LEVEL", "debug"));

        assertThat(loaded.config().log().level()).isEqualTo("debug");
        assertThat(loaded.config().log().fields()).containsExactly(Map.entry("service", "registry"));
    }

    @Test
    void load_deleteEnabledVariable_readAsBoolean() throws Exception {
        RegistryConfig config = load(ConfigLoaderTest.REGISTRY_IMAGE_CONFIG,
                Map.of("REGISTRY_STORAGE_DELETE_ENABLED", "true")).config();

        assertThat(config.storage().deleteEnabled()).isTrue();
    }

    @Test
    void load_uploadPurgingVariables_createNestedKeys() throws Exception {
        RegistryConfig config = load(ConfigLoaderTest.REGISTRY_IMAGE_CONFIG, Map.of(
                "REGISTRY_STORAGE_MAINTENANCE_UPLOADPURGING_ENABLED", "false",
                "REGISTRY_STORAGE_MAINTENANCE_UPLOADPURGING_AGE", "12h",
                "REGISTRY_STORAGE_MAINTENANCE_UPLOADPURGING_INTERVAL", "30m",
                "REGISTRY_STORAGE_MAINTENANCE_UPLOADPURGING_DRYRUN", "true",
                "REGISTRY_STORAGE_MAINTENANCE_READONLY_ENABLED", "true")).config();

        assertThat(config.storage().uploadPurging())
                .isEqualTo(new StorageConfig.UploadPurging(false, Duration.ofHours(12), Duration.ofMinutes(30), true));
        assertThat(config.storage().readOnly()).isTrue();
    }

    @Test
    void load_everyHttpVariable_applied() throws Exception {
        RegistryConfig config = load(ConfigLoaderTest.REGISTRY_IMAGE_CONFIG, Map.of(
                "REGISTRY_HTTP_NET", "unix",
                "REGISTRY_HTTP_PREFIX", "/mirror",
                "REGISTRY_HTTP_HOST", "https://registry.example.com",
                "REGISTRY_HTTP_RELATIVEURLS", "true",
                "REGISTRY_HTTP_DRAINTIMEOUT", "15s",
                "REGISTRY_HTTP_DEBUG_ADDR", "127.0.0.1:5001",
                "REGISTRY_HTTP_MAXMANIFESTSIZE", "1048576")).config();

        assertThat(config.http().net()).isEqualTo(HttpConfig.Net.UNIX);
        assertThat(config.http().prefix()).isEqualTo("/mirror/");
        assertThat(config.http().host()).isEqualTo("https://registry.example.com");
        assertThat(config.http().relativeUrls()).isTrue();
        assertThat(config.http().drainTimeout()).isEqualTo(Duration.ofSeconds(15));
        assertThat(config.http().debugAddr()).isEqualTo("127.0.0.1:5001");
        assertThat(config.http().maxManifestSize()).isEqualTo(1_048_576L);
    }

    @Test
    void load_logVariables_applied() throws Exception {
        RegistryConfig config = load(ConfigLoaderTest.REGISTRY_IMAGE_CONFIG, Map.of(
                "REGISTRY_LOG_FORMATTER", "json",
                "REGISTRY_LOG_FIELDS_ENVIRONMENT", "prod",
                "REGISTRY_STORAGE_FILESYSTEM_MAXTHREADS", "40")).config();

        assertThat(config.log().formatter()).isEqualTo(LogConfig.Formatter.JSON);
        assertThat(config.log().fields()).containsExactly(Map.entry("service", "registry"), Map.entry("environment", "prod"));
        assertThat(config.storage().driver()).isEqualTo(new StorageConfig.Filesystem(Path.of("/var/lib/registry"), 40));
    }

    @Test
    void load_headerVariable_matchesExistingHeaderIgnoringCase() throws Exception {
        RegistryConfig config = load(ConfigLoaderTest.REGISTRY_IMAGE_CONFIG,
                Map.of("REGISTRY_HTTP_HEADERS_X-CONTENT-TYPE-OPTIONS", "[nosniff, other]")).config();

        assertThat(config.http().headers()).containsExactly(Map.entry("X-Content-Type-Options", List.of("nosniff", "other")));
    }

    @Test
    void load_yamlMapValue_replacesSection() throws Exception {
        RegistryConfig config = load(ConfigLoaderTest.REGISTRY_IMAGE_CONFIG,
                Map.of("REGISTRY_HTTP_HEADERS", "{X-Frame-Options: [DENY]}")).config();

        assertThat(config.http().headers()).containsExactly(Map.entry("X-Frame-Options", List.of("DENY")));
    }

    @Test
    void load_storageDriverName_replacesDriverKeepsOptions() throws Exception {
        String yaml = """
                version: 0.1
                storage:
                  filesystem:
                    rootdirectory: /var/lib/registry
                  delete:
                    enabled: true
                """;

        RegistryConfig config = load(yaml, Map.of("REGISTRY_STORAGE", "inmemory")).config();

        assertThat(config.storage().driver()).isEqualTo(new StorageConfig.InMemory());
        assertThat(config.storage().deleteEnabled()).isTrue();
    }

    @Test
    void load_keyWithUnderscore_matchedThroughExistingKey() throws Exception {
        String yaml = ConfigLoaderTest.REGISTRY_IMAGE_CONFIG + """
                notifications:
                  some_endpoint:
                    url: http://old
                """;

        LoadedConfig loaded = load(yaml, Map.of("REGISTRY_NOTIFICATIONS_SOME_ENDPOINT_URL", "http://new"));

        assertThat(loaded.effectiveTree().at("/notifications/some_endpoint/url").asText()).isEqualTo("http://new");
        assertThat(loaded.effectiveTree().at("/notifications/some").isMissingNode()).isTrue();
    }

    @Test
    void load_unknownVariable_warnedAsUnknownKey() throws Exception {
        LoadedConfig loaded = load(ConfigLoaderTest.REGISTRY_IMAGE_CONFIG,
                Map.of("REGISTRY_HTTP_FOO", "1", "HOME", "/root", "REGISTRY_", "ignored"));

        assertThat(loaded.warnings()).contains("unknown configuration key: http.foo");
        assertThat(loaded.effectiveTree().has("home")).isFalse();
    }

    @Test
    void load_variablesWithoutFile_replaceDefaults() throws Exception {
        RegistryConfig config = load("version: 0.1\n", Map.of("REGISTRY_STORAGE_INMEMORY", "{}")).config();

        assertThat(config.storage().driver()).isEqualTo(new StorageConfig.InMemory());
    }

    LoadedConfig load(String yaml, Map<String, String> environment) throws IOException, ConfigException {
        Path file = directory.resolve("config.yml");
        Files.writeString(file, yaml);
        return ConfigLoader.load(file, environment);
    }
}
