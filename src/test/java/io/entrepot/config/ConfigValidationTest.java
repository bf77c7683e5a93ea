package io.entrepot.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigValidationTest {

    @TempDir
    Path directory;

    /** Each row sets one environment variable on a valid file; the value is invalid for its key. */
    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
        "REGISTRY_VERSION                                    | 0.2      | version                                   | unsupported version",
        "REGISTRY_LOG_LEVEL                                  | verbose  | log.level                                 | must be one of error, warn, info, debug",
        "REGISTRY_LOGLEVEL                                   | loud     | loglevel                                  | must be one of error, warn, info, debug",
        "REGISTRY_LOG_FORMATTER                              | xml      | log.formatter                             | must be one of text, json, logstash",
        "REGISTRY_LOG_FIELDS                                 | [a, b]   | log.fields                                | must be a map",
        "REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY           | ''       | storage.filesystem.rootdirectory          | must not be empty",
        "REGISTRY_STORAGE_FILESYSTEM_MAXTHREADS              | many     | storage.filesystem.maxthreads             | must be an integer",
        "REGISTRY_STORAGE_FILESYSTEM_MAXTHREADS              | 1.5      | storage.filesystem.maxthreads             | must be an integer",
        "REGISTRY_STORAGE_DELETE_ENABLED                     | enable     | storage.delete.enabled                    | must be true or false",
        "REGISTRY_STORAGE_MAINTENANCE_UPLOADPURGING_ENABLED  | 1        | storage.maintenance.uploadpurging.enabled | must be true or false",
        "REGISTRY_STORAGE_MAINTENANCE_UPLOADPURGING_AGE      | 1x       | storage.maintenance.uploadpurging.age     | invalid duration, unknown unit",
        "REGISTRY_STORAGE_MAINTENANCE_UPLOADPURGING_AGE      | 0s       | storage.maintenance.uploadpurging.age     | must be greater than zero",
        "REGISTRY_STORAGE_MAINTENANCE_UPLOADPURGING_INTERVAL | -5s      | storage.maintenance.uploadpurging.interval | invalid duration, must not be negative",
        "REGISTRY_STORAGE_MAINTENANCE_UPLOADPURGING_DRYRUN   | maybe    | storage.maintenance.uploadpurging.dryrun  | must be true or false",
        "REGISTRY_STORAGE_MAINTENANCE_READONLY_ENABLED       | 1        | storage.maintenance.readonly.enabled      | must be true or false",
        "REGISTRY_STORAGE_MAINTENANCE_GC_ENABLED             | 1        | storage.maintenance.gc.enabled            | must be true or false",
        "REGISTRY_STORAGE_MAINTENANCE_GC_INTERVAL            | 1x       | storage.maintenance.gc.interval           | invalid duration, unknown unit",
        "REGISTRY_STORAGE_MAINTENANCE_GC_GRACE               | -1s      | storage.maintenance.gc.grace              | invalid duration, must not be negative",
        "REGISTRY_STORAGE_MAINTENANCE_GC_DELETEUNTAGGED      | maybe    | storage.maintenance.gc.deleteuntagged     | must be true or false",
        "REGISTRY_STORAGE_MAINTENANCE_GC_DRYRUN              | maybe    | storage.maintenance.gc.dryrun             | must be true or false",
        "REGISTRY_STORAGE_MAINTENANCE_GC_SCHEDULE            | 0 0 30 2 * | storage.maintenance.gc.schedule         | invalid cron expression \"0 0 30 2 *\": no month",
        "REGISTRY_STORAGE_MAINTENANCE_GC_SCHEDULE            | 0 25 * * * | storage.maintenance.gc.schedule         | hour 25 is outside 0-23",
        "REGISTRY_STORAGE_MAINTENANCE_GC_TIMEZONE            | Mars/Olympus | storage.maintenance.gc.timezone       | unknown time zone",
        "REGISTRY_HTTP_ADDR                                  | '[1, 2]' | http.addr                                 | must be a string",
        "REGISTRY_HTTP_ADDR                                  | 5000     | http.addr                                 | must be host:port",
        "REGISTRY_HTTP_ADDR                                  | localhost:http | http.addr                           | must be host:port",
        "REGISTRY_HTTP_ADDR                                  | :70000   | http.addr                                 | port from 0 to 65535",
        "REGISTRY_HTTP_DEBUG_ADDR                            | debug    | http.debug.addr                           | must be host:port",
        "REGISTRY_HTTP_NET                                   | udp      | http.net                                  | must be tcp or unix",
        "REGISTRY_HTTP_PREFIX                                | a//b     | http.prefix                               | empty path segment",
        "REGISTRY_HTTP_HOST                                  | registry.example.com | http.host                     | must be an absolute http or https URL",
        "REGISTRY_HTTP_HOST                                  | ftp://example.com    | http.host                     | must be an absolute http or https URL",
        "REGISTRY_HTTP_RELATIVEURLS                          | sometimes | http.relativeurls                        | must be true or false",
        "REGISTRY_HTTP_HEADERS_X-FRAME-OPTIONS               | '{a: b}' | http.headers.x-frame-options              | must be a list of strings",
        "REGISTRY_HTTP_DRAINTIMEOUT                          | -10      | http.draintimeout                         | invalid duration, must not be negative",
        "REGISTRY_HTTP_DRAINTIMEOUT                          | 10.5     | http.draintimeout                         | invalid duration, expected a number and a unit",
        "REGISTRY_HTTP_DRAINTIMEOUT                          | h        | http.draintimeout                         | invalid duration, expected a number",
        "REGISTRY_HTTP_MAXMANIFESTSIZE                       | 4MiB     | http.maxmanifestsize                      | must be an integer",
        "REGISTRY_HTTP_MAXMANIFESTSIZE                       | 0        | http.maxmanifestsize                      | must be a positive number of bytes",
        "REGISTRY_HTTP_MAXHEADERBYTES                        | 100      | http.maxheaderbytes                       | must be a number of bytes from 1024",
        "REGISTRY_HTTP_MAXHEADERBYTES                        | 16KiB    | http.maxheaderbytes                       | must be an integer",
        "REGISTRY_HTTP_MAXBLOBSIZE                           | -1       | http.maxblobsize                          | must be a number of bytes, or 0 for no limit",
        "REGISTRY_HTTP_MAXUPLOADSPERUSER                     | -1       | http.maxuploadsperuser                    | must be a number of upload sessions from 0",
        "REGISTRY_HTTP_MAXUPLOADSPERUSER                     | 3000000000 | http.maxuploadsperuser                  | must be a number of upload sessions from 0",
        "REGISTRY_HTTP_DEBUG_PROMETHEUS_ENABLED              | maybe    | http.debug.prometheus.enabled             | must be true or false",
        "REGISTRY_HTTP_DEBUG_PROMETHEUS_PATH                 | metrics  | http.debug.prometheus.path                | must be a path starting with /",
        "REGISTRY_HTTP_DEBUG_PROMETHEUS_PATH                 | /debug/health | http.debug.prometheus.path           | outside /debug/",
        "REGISTRY_METRICS_STORAGEUSAGE_INTERVAL              | 10ms     | metrics.storageusage.interval             | must be at least 1s",
        "REGISTRY_METRICS_STORAGEUSAGE_INTERVAL              | often    | metrics.storageusage.interval             | invalid duration",
        "REGISTRY_METRICS_STORAGEUSAGE_QUOTA                 | -1       | metrics.storageusage.quota                | must be a number of bytes",
        "REGISTRY_METRICS_STORAGEUSAGE_QUOTA                 | 10GiB    | metrics.storageusage.quota                | must be an integer",
        "REGISTRY_METRICS_TOPPULLS_SIZE                      | 0        | metrics.toppulls.size                     | must be from 1 to 100",
        "REGISTRY_METRICS_TOPPULLS_SIZE                      | 101      | metrics.toppulls.size                     | must be from 1 to 100",
        "REGISTRY_TRACING_OTLP_ENDPOINT                      | collector:4318 | tracing.otlp.endpoint               | must be an absolute http or https URL",
        "REGISTRY_TRACING_OTLP_ENDPOINT                      | http://  | tracing.otlp.endpoint                     | invalid URL",
        "REGISTRY_TRACING_SAMPLINGRATIO                      | 1.5      | tracing.samplingratio                     | must be a number from 0 to 1",
        "REGISTRY_TRACING_SAMPLINGRATIO                      | half     | tracing.samplingratio                     | must be a number from 0 to 1",
        "REGISTRY_TRACING_SERVICENAME                        | ' '      | tracing.servicename                       | must not be empty",
    })
    void load_invalidValue_problemNamesKeyAndValue(String variable, String value, String key, String message) throws IOException {
        ConfigException error = loadExpectingFailure(ConfigLoaderTest.REGISTRY_IMAGE_CONFIG, Map.of(variable, value));

        assertThat(error.problems()).hasSize(1);
        ConfigProblem problem = error.problems().get(0);
        assertThat(problem.key()).isEqualTo(key);
        assertThat(problem.message()).contains(message);
        assertThat(problem.value()).isEqualTo(value);
        assertThat(error.getMessage()).contains(key + ": ").contains("(value \"" + value + "\")");
    }

    @Test
    void load_quotedNumberDuration_missingUnit() throws IOException {
        ConfigException error = loadExpectingFailure(
                ConfigLoaderTest.REGISTRY_IMAGE_CONFIG.replace("http:\n", "http:\n  draintimeout: \"10\"\n"), Map.of());

        assertThat(error.problems()).extracting(ConfigProblem::toString)
                .containsExactly("http.draintimeout: invalid duration, missing unit after 10, such as 10s or 10m (value \"10\")");
    }

    @Test
    void load_severalInvalidValues_allReported() throws IOException {
        String yaml = """
                version: 0.1
                log:
                  level: loud
                storage:
                  filesystem:
                    maxthreads: lots
                http:
                  net: udp
                  draintimeout: 1x
                """;

        ConfigException error = loadExpectingFailure(yaml, Map.of());

        assertThat(error.problems()).extracting(ConfigProblem::key).containsExactly(
                "log.level", "storage.filesystem.maxthreads", "http.net", "http.draintimeout");
        assertThat(error.getMessage().lines()).containsExactly(
                "invalid configuration in " + directory.resolve("config.yml") + " (4 problems):",
                "log.level: must be one of error, warn, info, debug (value \"loud\")",
                "storage.filesystem.maxthreads: must be an integer (value \"lots\")",
                "http.net: must be tcp or unix (value \"udp\")",
                "http.draintimeout: invalid duration, unknown unit \"x\", expected ns, us, ms, s, m or h (value \"1x\")");
    }

    @Test
    void load_gcIntervalAndSchedule_rejected() throws IOException {
        String yaml = """
                version: 0.1
                storage:
                  inmemory:
                  maintenance:
                    gc:
                      enabled: true
                      interval: 24h
                      schedule: "0 3 * * *"
                """;

        ConfigException error = loadExpectingFailure(yaml, Map.of());

        assertThat(error.problems()).extracting(ConfigProblem::key).containsExactly("storage.maintenance.gc.schedule");
        assertThat(error.getMessage()).contains("cannot be combined with storage.maintenance.gc.interval")
                .contains("(value \"0 3 * * *\")");
    }

    @Test
    void load_gcSchedule_readWithZone() throws Exception {
        Path file = directory.resolve("schedule.yml");
        Files.writeString(file, """
                version: 0.1
                storage:
                  inmemory:
                  maintenance:
                    gc:
                      enabled: true
                      schedule: "*/15 1-5 * * MON-FRI"
                      timezone: Europe/Paris
                """);

        StorageConfig.GarbageCollection gc = ConfigLoader.load(file, Map.of()).config().storage().garbageCollection();

        assertThat(gc.schedule()).hasToString("*/15 1-5 * * MON-FRI");
        assertThat(gc.timeZone()).isEqualTo(java.time.ZoneId.of("Europe/Paris"));
    }

    @Test
    void load_badOnlineGc_reportsBoth() throws IOException {
        String yaml = """
                version: 0.1
                storage:
                  inmemory:
                  maintenance:
                    gc:
                      enabled: true
                      interval: 0s
                      grace: 10s
                """;

        ConfigException error = loadExpectingFailure(yaml, Map.of());

        assertThat(error.problems()).extracting(ConfigProblem::key)
                .containsExactly("storage.maintenance.gc.interval", "storage.maintenance.gc.grace");
        assertThat(error.getMessage()).contains("storage.maintenance.gc.grace: must be at least 1m while");
        assertThat(error.getMessage()).contains("(value \"10s\")");
    }

    @Test
    void load_retentionWithBadValues_reportsEach() throws IOException {
        String yaml = """
                version: 0.1
                storage:
                  inmemory:
                retention:
                  interval: soon
                  rules:
                    - repositories: team/*
                      keeplatest: -1
                      removetagsolderthan: 0s
                    - keeptags: [v*]
                      keepnewest: 3
                    - repositories: other/*
                  immutabletags:
                    - repositories: prod/**
                """;

        ConfigException error = loadExpectingFailure(yaml, Map.of());

        assertThat(error.problems()).extracting(ConfigProblem::key).containsExactlyInAnyOrder(
                "retention.interval",
                "retention.rules[0].keeplatest",
                "retention.rules[0].removetagsolderthan",
                "retention.rules[1].keepnewest",
                "retention.rules[1].repositories",
                "retention.rules[2]",
                "retention.immutabletags[0].tags");
    }

    @Test
    void load_retentionRuleWithMisspeltKey_reportedOnce() throws IOException {
        String yaml = "version: 0.1\nstorage:\n  inmemory:\nretention:\n  rules:\n    - repositories: team/*\n      keeplatst: 3\n";

        ConfigException error = loadExpectingFailure(yaml, Map.of());

        assertThat(error.problems()).extracting(ConfigProblem::key).containsExactly("retention.rules[0].keeplatst");
        assertThat(error.getMessage()).contains("retention.rules[0].keeplatst: unknown key; did you mean keeplatest?");
    }

    @Test
    void load_validRetention_isMapped() throws Exception {
        Path file = directory.resolve("retention.yml");
        Files.writeString(file, """
                version: 0.1
                storage:
                  inmemory:
                retention:
                  interval: 24h
                  rules:
                    - repositories: team/**
                      keeplatest: 10
                      keeptags: [latest, v*]
                      removeuntaggedolderthan: 168h
                  immutabletags:
                    - repositories: prod/*
                      tags: [v*]
                """);

        RetentionConfig retention = ConfigLoader.load(file, Map.of()).config().retention();

        assertThat(retention.interval()).isEqualTo(java.time.Duration.ofHours(24));
        assertThat(retention.rules()).containsExactly(new RetentionConfig.Rule("team/**", 10, java.util.List.of("latest", "v*"),
                null, java.time.Duration.ofHours(168)));
        assertThat(retention.immutableTags()).containsExactly(new RetentionConfig.ImmutableTags("prod/*", java.util.List.of("v*")));
    }

    @Test
    void load_emptyAuthSection_treatedAsAbsent() throws Exception {
        LoadedConfig loaded = load(ConfigLoaderTest.REGISTRY_IMAGE_CONFIG + "auth:\n", Map.of());

        assertThat(loaded.config().storage().driver()).isInstanceOf(StorageConfig.Filesystem.class);
    }

    @Test
    void load_twoDrivers_rejected() throws IOException {
        String yaml = ConfigLoaderTest.REGISTRY_IMAGE_CONFIG.replace("storage:\n", "storage:\n  inmemory:\n");

        ConfigException error = loadExpectingFailure(yaml, Map.of());

        assertThat(error.getMessage()).contains(
                "storage: exactly one storage driver must be configured, found 2: inmemory, filesystem");
    }

    @Test
    void load_noDriver_rejected() throws IOException {
        ConfigException error = loadExpectingFailure("version: 0.1\nstorage:\n  delete:\n    enabled: true\n", Map.of());

        assertThat(error.getMessage()).contains("storage: exactly one storage driver must be configured, found none");
    }

    @Test
    void load_s3WithOnlySecretKey_reportsMissingAccessKeyWithoutSecret() throws IOException {
        String yaml = """
                version: 0.1
                storage:
                  s3:
                    region: us-east-1
                    bucket: images
                    secretkey: do-not-print
                  cache:
                    blobdescriptor: inmemory
                """;

        ConfigException error = loadExpectingFailure(yaml, Map.of());

        assertThat(error.problems()).extracting(ConfigProblem::key).containsExactly("storage.s3.accesskey");
        assertThat(error.getMessage()).doesNotContain("do-not-print");
    }

    @Test
    void load_unknownDriver_rejected() throws IOException {
        ConfigException error = loadExpectingFailure("version: 0.1\nstorage:\n  floppy: {}\n", Map.of());

        assertThat(error.problems()).extracting(ConfigProblem::toString)
                .containsExactly("storage.floppy: unknown storage driver floppy, use filesystem, s3 or inmemory");
    }

    @Test
    void load_headerValueWithLineBreak_rejected() throws IOException {
        ConfigException error = loadExpectingFailure(ConfigLoaderTest.REGISTRY_IMAGE_CONFIG,
                Map.of("REGISTRY_HTTP_HEADERS_X-CONTENT-TYPE-OPTIONS", "\"nosniff\\r\\nSet-Cookie: a=b\""));

        assertThat(error.problems()).extracting(ConfigProblem::message).containsExactly("must not contain a line break");
    }

    @Test
    void load_invalidHeaderName_rejected() throws IOException {
        ConfigException error = loadExpectingFailure(MINIMAL_WITH_HEADER, Map.of());

        assertThat(error.problems()).extracting(ConfigProblem::toString)
                .containsExactly("http.headers.Bad Header: invalid header name");
    }

    private static final String MINIMAL_WITH_HEADER = """
            version: 0.1
            storage: inmemory
            http:
              headers:
                "Bad Header": [x]
            """;

    LoadedConfig load(String yaml, Map<String, String> environment) throws IOException, ConfigException {
        Path file = directory.resolve("config.yml");
        Files.writeString(file, yaml);
        return ConfigLoader.load(file, environment);
    }

    @Test
    void load_errorsAndMisspeltKeys_reportedTogether() throws IOException {
        String yaml = ConfigLoaderTest.REGISTRY_IMAGE_CONFIG + "storag:\n  delete: {enabled: true}\n";

        ConfigException error = loadExpectingFailure(yaml, Map.of("REGISTRY_LOG_LEVEL", "loud"));

        assertThat(error.getMessage()).contains("log.level: must be one of");
        assertThat(error.getMessage()).contains("warning: unknown configuration key: storag");
    }

    @Test
    void load_errorFromEnvironment_sourceSaysSo() throws IOException {
        ConfigException error = loadExpectingFailure(ConfigLoaderTest.REGISTRY_IMAGE_CONFIG, Map.of("REGISTRY_STORAGE_DELETE_ENABLED", "yes-please"));

        assertThat(error.getMessage()).contains("with REGISTRY_* environment overrides");
    }

    @Test
    void load_rootDirectoryIsFile_rejected() throws IOException {
        Path file = Files.writeString(directory.resolve("not-a-directory"), "x");

        ConfigException error = loadExpectingFailure(ConfigLoaderTest.REGISTRY_IMAGE_CONFIG,
                Map.of("REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY", file.toString()));

        assertThat(error.problems()).hasSize(1);
        assertThat(error.problems().get(0).key()).isEqualTo("storage.filesystem.rootdirectory");
        assertThat(error.problems().get(0).message()).contains("not a directory");
    }

    ConfigException loadExpectingFailure(String yaml, Map<String, String> environment) throws IOException {
        Path file = directory.resolve("config.yml");
        Files.writeString(file, yaml);
        ConfigException error = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(file, environment));
        assertThat(error).as("ConfigException").isNotNull();
        return error;
    }
}
