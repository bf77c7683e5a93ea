package io.entrepot.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    /** The config.yml shipped in the registry:2 image. */
    static final String REGISTRY_IMAGE_CONFIG = """
            version: 0.1
            log:
              fields:
                service: registry
            storage:
              cache:
                blobdescriptor: inmemory
              filesystem:
                rootdirectory: /var/lib/registry
            http:
              addr: :5000
              headers:
                X-Content-Type-Options: [nosniff]
            health:
              storagedriver:
                enabled: true
                interval: 10s
                threshold: 3
            """;

    static final String MINIMAL = """
            version: 0.1
            storage:
              inmemory:
            """;

    @TempDir
    Path directory;

    @Test
    void defaults_rootDirectory_filesystemOnLoopback() {
        LoadedConfig loaded = ConfigLoader.defaults(Path.of("/data/registry"));
        RegistryConfig config = loaded.config();

        assertThat(config.version()).isEqualTo("0.1");
        assertThat(config.storage().driver()).isEqualTo(new StorageConfig.Filesystem(Path.of("/data/registry"), 100));
        assertThat(config.storage().deleteEnabled()).isFalse();
        assertThat(config.storage().readOnly()).isFalse();
        assertThat(config.storage().uploadPurging()).isEqualTo(StorageConfig.UploadPurging.DEFAULT);
        assertThat(config.http().addr()).isEqualTo("127.0.0.1:5000");
        assertThat(config.http().net()).isEqualTo(HttpConfig.Net.TCP);
        assertThat(config.http().prefix()).isEqualTo("/");
        assertThat(config.http().host()).isNull();
        assertThat(config.http().headers()).containsExactly(Map.entry("X-Content-Type-Options", List.of("nosniff")));
        assertThat(config.http().drainTimeout()).isEqualTo(Duration.ZERO);
        assertThat(config.http().debugAddr()).isNull();
        assertThat(config.http().maxManifestSize()).isEqualTo(HttpConfig.DEFAULT_MAX_MANIFEST_SIZE);
        assertThat(config.log()).isEqualTo(LogConfig.DEFAULT);
        assertThat(loaded.warnings()).isEmpty();
    }

    @Test
    void load_registryImageConfig_readsCacheAndHealth() throws Exception {
        LoadedConfig loaded = load(REGISTRY_IMAGE_CONFIG, Map.of());
        RegistryConfig config = loaded.config();

        assertThat(config.storage().driver()).isEqualTo(new StorageConfig.Filesystem(Path.of("/var/lib/registry"), 100));
        assertThat(config.http().addr()).isEqualTo(":5000");
        assertThat(config.http().headers()).containsExactly(Map.entry("X-Content-Type-Options", List.of("nosniff")));
        assertThat(config.log().fields()).containsExactly(Map.entry("service", "registry"));
        assertThat(config.log().level()).isEqualTo("info");
        assertThat(config.log().formatter()).isEqualTo(LogConfig.Formatter.TEXT);
        assertThat(config.cache().blobDescriptor()).isEqualTo(CacheConfig.BlobDescriptor.INMEMORY);
        assertThat(config.health().storageDriver()).isEqualTo(new HealthConfig.StorageDriverCheck(true, Duration.ofSeconds(10), 3));
        assertThat(loaded.warnings()).isEmpty();
    }

    @Test
    void load_debianPackageConfigWithoutAuth_loads() throws Exception {
        // Debian's docker-registry 2.8.2 default file, minus its auth section.
        String debian = """
                version: 0.1
                log:
                  fields:
                    service: registry
                storage:
                  cache:
                    blobdescriptor: inmemory
                  filesystem:
                    rootdirectory: /var/lib/docker-registry
                  delete:
                    enabled: true
                http:
                  addr: :5000
                  headers:
                    X-Content-Type-Options: [nosniff]
                """;

        RegistryConfig config = load(debian, Map.of()).config();

        assertThat(config.storage().deleteEnabled()).isTrue();
        assertThat(config.storage().driver()).isEqualTo(new StorageConfig.Filesystem(Path.of("/var/lib/docker-registry"), 100));
    }

    @Test
    void load_everySupportedKey_mapsValues() throws Exception {
        String yaml = """
                version: "0.1"
                log:
                  level: debug
                  formatter: logstash
                  fields:
                    environment: staging
                    shard: 3
                storage:
                  filesystem:
                    rootdirectory: /srv/registry
                    maxthreads: "50"
                  delete:
                    enabled: "true"
                  maintenance:
                    uploadpurging:
                      enabled: false
                      age: 72h
                      interval: 1h30m
                      dryrun: true
                    readonly:
                      enabled: true
                http:
                  addr: 0.0.0.0:5001
                  net: tcp
                  prefix: registry
                  host: https://registry.example.com
                  relativeurls: true
                  headers:
                    X-Frame-Options: DENY
                    Cache-Control: [no-cache, no-store]
                  draintimeout: 60s
                  debug:
                    addr: 127.0.0.1:5002
                  maxmanifestsize: 8388608
                """;

        RegistryConfig config = load(yaml, Map.of()).config();

        assertThat(config.log()).isEqualTo(new LogConfig("debug", LogConfig.Formatter.JSON,
                Map.of("environment", "staging", "shard", "3")));
        assertThat(config.storage()).isEqualTo(new StorageConfig(
                new StorageConfig.Filesystem(Path.of("/srv/registry"), 50),
                true,
                new StorageConfig.UploadPurging(false, Duration.ofHours(72), Duration.ofMinutes(90), true),
                true,
                new StorageConfig.Redirect(false, StorageConfig.Redirect.DEFAULT_EXPIRY, java.util.List.of())));
        assertThat(config.http()).isEqualTo(new HttpConfig(
                "0.0.0.0:5001",
                HttpConfig.Net.TCP,
                "/registry/",
                "https://registry.example.com",
                true,
                Map.of("X-Frame-Options", List.of("DENY"), "Cache-Control", List.of("no-cache", "no-store")),
                Duration.ofSeconds(60),
                "127.0.0.1:5002",
                8_388_608L));
    }

    @Test
    void load_metricsAndTracingKeys_mapsValues() throws Exception {
        String yaml = MINIMAL + """
                http:
                  debug:
                    addr: 127.0.0.1:5001
                    prometheus:
                      enabled: false
                      path: /internal/metrics
                metrics:
                  storageusage:
                    interval: 30s
                    quota: 1099511627776
                  toppulls:
                    size: 25
                tracing:
                  otlp:
                    endpoint: http://127.0.0.1:4318/v1/traces
                  servicename: registry-eu
                  samplingratio: 0.25
                """;

        LoadedConfig loaded = load(yaml, Map.of());

        assertThat(loaded.warnings()).isEmpty();
        assertThat(loaded.config().metrics()).isEqualTo(
                new MetricsConfig(false, "/internal/metrics", Duration.ofSeconds(30), 1_099_511_627_776L, 25));
        assertThat(loaded.config().tracing()).isEqualTo(
                new TracingConfig(java.net.URI.create("http://127.0.0.1:4318/v1/traces"), "registry-eu", 0.25));
    }

    @Test
    void load_requestLimits_mapsValues() throws Exception {
        String yaml = MINIMAL + """
                http:
                  maxheaderbytes: 32768
                  maxblobsize: 10737418240
                """;

        LoadedConfig loaded = load(yaml, Map.of("REGISTRY_HTTP_MAXUPLOADSPERUSER", "50"));

        assertThat(loaded.warnings()).isEmpty();
        assertThat(loaded.config().http().limits()).isEqualTo(new RequestLimits(32_768, 10_737_418_240L, 50));
        assertThat(load(MINIMAL, Map.of()).config().http().limits()).isEqualTo(RequestLimits.DEFAULT);
    }

    @Test
    void load_noMetricsOrTracingKeys_defaults() throws Exception {
        LoadedConfig loaded = load(MINIMAL, Map.of());

        assertThat(loaded.config().metrics()).isEqualTo(MetricsConfig.DEFAULT);
        assertThat(loaded.config().tracing()).isEqualTo(TracingConfig.DISABLED);
        assertThat(loaded.config().tracing().enabled()).isFalse();
    }

    @Test
    void load_unixSocket_keepsPathAsAddr() throws Exception {
        HttpConfig http = load(MINIMAL + "http:\n  net: unix\n  addr: /run/entrepot.sock\n", Map.of()).config().http();

        assertThat(http.net()).isEqualTo(HttpConfig.Net.UNIX);
        assertThat(http.addr()).isEqualTo("/run/entrepot.sock");
    }

    @Test
    void load_integerDuration_readAsNanoseconds() throws Exception {
        HttpConfig http = load(MINIMAL + "http:\n  draintimeout: 1500000000\n", Map.of()).config().http();

        assertThat(http.drainTimeout()).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void load_prefixForms_normalisedWithSlashes() throws Exception {
        for (String prefix : List.of("v", "/v", "v/", "/v/")) {
            HttpConfig http = load(MINIMAL + "http:\n  prefix: " + prefix + "\n", Map.of()).config().http();

            assertThat(http.prefix()).as("prefix %s", prefix).isEqualTo("/v/");
        }
    }

    @Test
    void load_storageAsScalar_readAsDriverName() throws Exception {
        RegistryConfig config = load("version: 0.1\nstorage: inmemory\n", Map.of()).config();

        assertThat(config.storage().driver()).isEqualTo(new StorageConfig.InMemory());
    }

    @Test
    void load_maxThreadsBelowMinimum_raisedWithWarning() throws Exception {
        LoadedConfig loaded = load("version: 0.1\nstorage:\n  filesystem:\n    maxthreads: 10\n", Map.of());

        assertThat(loaded.config().storage().driver()).isEqualTo(new StorageConfig.Filesystem(StorageConfig.Filesystem.DEFAULT_ROOT, 25));
        assertThat(loaded.warnings()).containsExactly("storage.filesystem.maxthreads: 10 is below the minimum 25, using 25");
    }

    @Test
    void load_deprecatedLoglevel_usedWithWarning() throws Exception {
        LoadedConfig loaded = load(MINIMAL + "loglevel: warn\n", Map.of());

        assertThat(loaded.config().log().level()).isEqualTo("warn");
        assertThat(loaded.warnings()).containsExactly("deprecated configuration key loglevel used, move its value to log.level");
    }

    @Test
    void load_loglevelAndLogLevel_logLevelWins() throws Exception {
        LoadedConfig loaded = load(MINIMAL + "loglevel: warn\nlog:\n  level: error\n", Map.of());

        assertThat(loaded.config().log().level()).isEqualTo("error");
        assertThat(loaded.warnings()).containsExactly("deprecated configuration key loglevel ignored because log.level is set");
    }

    @Test
    void load_unsupportedAndUnknownKeys_warnedByFullPath() throws Exception {
        String yaml = MINIMAL + """
                  redirect:
                    disable: true
                http:
                  secret: hunter2
                  foo: bar
                  http2:
                    disabled: true
                  debug:
                    prometheus:
                      enabled: true
                log:
                  accesslog:
                    disabled: true
                notifications:
                  events:
                    includereferences: true
                  endpoints:
                    - name: alistener
                redis:
                  addr: localhost:6379
                proxy:
                  remoteurl: https://registry-1.docker.io
                middleware:
                  registry: []
                validation:
                  disabled: true
                compatibility:
                  schema1:
                    enabled: true
                frobnicate: 1
                """;

        List<String> warnings = load(yaml, Map.of()).warnings();

        assertThat(warnings).containsExactlyInAnyOrder(
                "unsupported configuration key ignored: http.secret",
                "unknown configuration key: http.foo",
                "unsupported configuration key ignored: http.http2",
                "unsupported configuration key ignored: log.accesslog",
                "unsupported configuration key ignored: notifications.events",
                "unsupported configuration key ignored: notifications.endpoints",
                "unsupported configuration key ignored: proxy.remoteurl",
                "unsupported configuration key ignored: middleware.registry",
                "unsupported configuration key ignored: validation.disabled",
                "unsupported configuration key ignored: compatibility.schema1",
                "unknown configuration key: frobnicate");
    }

    @Test
    void load_durationWithoutUnit_warnsAndReadsNanoseconds() throws Exception {
        LoadedConfig loaded = load("version: 0.1\nstorage: {inmemory: {}}\nhttp: {draintimeout: 30}\n", Map.of());

        assertThat(loaded.config().http().drainTimeout()).isEqualTo(Duration.ofNanos(30));
        assertThat(loaded.warnings()).containsExactly("http.draintimeout: 30 has no unit and is read as 30ns, as distribution reads it;"
                + " write 30s if you meant seconds, or 30ns to keep this value");
    }

    @Test
    void load_durationWithoutUnitFromEnvironment_warns() throws Exception {
        LoadedConfig loaded = load("version: 0.1\nstorage: {inmemory: {}}\n", Map.of("REGISTRY_HTTP_DRAINTIMEOUT", "30"));

        assertThat(loaded.warnings()).containsExactly("http.draintimeout: 30 has no unit and is read as 30ns, as distribution reads it;"
                + " write 30s if you meant seconds, or 30ns to keep this value");
    }

    @Test
    void load_largeBareDuration_suggestsUnit() throws Exception {
        LoadedConfig loaded = load("version: 0.1\nstorage: {inmemory: {}}\nhttp: {shutdowndelay: 30000000000}\n", Map.of());

        assertThat(loaded.config().http().shutdownDelay()).isEqualTo(Duration.ofSeconds(30));
        assertThat(loaded.warnings()).containsExactly("http.shutdowndelay: 30000000000 has no unit and is read as 30s,"
                + " as distribution reads it; write 30s to keep this value with a unit");
    }

    @Test
    void load_zeroOrDurationWithUnit_noWarning() throws Exception {
        LoadedConfig loaded = load("version: 0.1\nstorage: {inmemory: {}}\nhttp: {draintimeout: 0, shutdowndelay: 30s}\n", Map.of());

        assertThat(loaded.warnings()).isEmpty();
    }

    @Test
    void load_unknownKeyUnderDriver_warned() throws Exception {
        List<String> warnings = load("version: 0.1\nstorage:\n  filesystem:\n    rootdir: /x\n", Map.of()).warnings();

        assertThat(warnings).containsExactly("unknown configuration key: storage.filesystem.rootdir");
    }

    @Test
    void load_emptyFile_reportsMissingVersionAndStorage() throws IOException {
        assertThatThrownBy(() -> load("", Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
                        .extracting(ConfigProblem::key)
                        .containsExactly("version", "storage"));
    }

    @Test
    void load_malformedYaml_failsNamingFile() {
        assertThatThrownBy(() -> load("version: [0.1\n", Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("invalid YAML in configuration file")
                .hasMessageContaining("config.yml");
    }

    @Test
    void load_duplicateKey_failsWithLine() {
        // A second http block would otherwise drop the first one's loopback addr.
        String yaml = """
                version: 0.1
                storage:
                  inmemory: {}
                http:
                  addr: 127.0.0.1:5000
                http:
                  draintimeout: 5s
                """;

        assertThatThrownBy(() -> load(yaml, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("sets key http twice")
                .hasMessageContaining("near line 7");
    }

    @Test
    void load_duplicateNestedKey_fails() {
        String yaml = """
                version: 0.1
                storage:
                  inmemory: {}
                auth:
                  htpasswd:
                    realm: a
                    realm: b
                """;

        assertThatThrownBy(() -> load(yaml, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("sets key realm twice");
    }

    @Test
    void load_missingFile_failsNamingFile() {
        Path missing = directory.resolve("absent.yml");

        assertThatThrownBy(() -> ConfigLoader.load(missing, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("configuration file not found: " + missing.toAbsolutePath());
    }

    @Test
    void load_directoryAsFile_failsSayingSo() {
        assertThatThrownBy(() -> ConfigLoader.load(directory, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(directory.toString())
                .hasMessageContaining("it is a directory");
    }

    @Test
    void load_listAtTopLevel_rejected() {
        assertThatThrownBy(() -> load("- version\n", Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("must contain a YAML mapping");
    }

    LoadedConfig load(String yaml, Map<String, String> environment) throws IOException, ConfigException {
        Path file = directory.resolve("config.yml");
        Files.writeString(file, yaml);
        return ConfigLoader.load(file, environment);
    }
}
