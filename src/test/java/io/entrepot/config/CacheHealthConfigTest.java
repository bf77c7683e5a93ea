package io.entrepot.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The storage.cache, redis and health sections, and the http keys for running behind a proxy. */
class CacheHealthConfigTest {

    private static final String BASE = """
            version: 0.1
            storage:
              filesystem:
                rootdirectory: /var/lib/registry
            http:
              addr: 127.0.0.1:5000
            """;

    @TempDir
    Path directory;

    private LoadedConfig load(String yaml, Map<String, String> environment) throws Exception {
        Path file = directory.resolve("config.yml");
        Files.writeString(file, yaml);
        return ConfigLoader.load(file, environment);
    }

    @Test
    void load_redisCacheWithDistributionSection_mapsEveryKey() throws Exception {
        String yaml = """
                version: 0.1
                storage:
                  filesystem:
                    rootdirectory: /var/lib/registry
                  cache:
                    blobdescriptor: redis
                    blobdescriptorsize: 500
                redis:
                  addr: redis.internal:6379
                  password: s3cret
                  db: 2
                  dialtimeout: 10ms
                  readtimeout: 20ms
                  writetimeout: 30ms
                  pool:
                    maxidle: 16
                    maxactive: 64
                    idletimeout: 300s
                  tls:
                    enabled: true
                http:
                  trustedproxies: [127.0.0.1, 10.0.0.0/8, "fd00::/8"]
                  shutdowndelay: 15s
                """;

        LoadedConfig loaded = load(yaml, Map.of());

        assertThat(loaded.warnings()).isEmpty();
        RegistryConfig config = loaded.config();
        assertThat(config.cache()).isEqualTo(new CacheConfig(CacheConfig.BlobDescriptor.REDIS, 500));
        assertThat(config.redis()).isEqualTo(new RedisConfig(List.of("redis.internal:6379"), null, null, "s3cret", 2,
                Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofMillis(30),
                new RedisConfig.Pool(16, 64, Duration.ofSeconds(300)), true));
        assertThat(config.redis().mode()).isEqualTo(RedisConfig.Mode.STANDALONE);
        assertThat(config.redis().toString()).doesNotContain("s3cret");
        assertThat(config.http().trustedProxies()).containsExactly("127.0.0.1", "10.0.0.0/8", "fd00::/8");
        assertThat(config.http().shutdownDelay()).isEqualTo(Duration.ofSeconds(15));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"0.0.0.0/0", "::/0"})
    void trustedProxies_everyAddress_isWarnedAbout(String range) throws Exception {
        String yaml = """
                version: 0.1
                storage:
                  inmemory: {}
                http:
                  trustedproxies: [127.0.0.1, "%s"]
                """.formatted(range);

        LoadedConfig loaded = load(yaml, Map.of());

        assertThat(loaded.warnings()).singleElement().asString()
                .contains("http.trustedproxies: " + range + " trusts every client");
        assertThat(loaded.config().http().trustedProxies()).containsExactly("127.0.0.1", range);
    }

    @Test
    void load_sentinelAndClusterAddresses_chooseMode() throws Exception {
        String sentinel = BASE + "redis:\n  addrs: [s1:26379, s2:26379]\n  mastername: primary\n";
        String cluster = BASE + "redis:\n  addrs: [n1:6379, n2:6379, n3:6379]\n";

        assertThat(load(sentinel, Map.of()).config().redis().mode()).isEqualTo(RedisConfig.Mode.SENTINEL);
        assertThat(load(cluster, Map.of()).config().redis().mode()).isEqualTo(RedisConfig.Mode.CLUSTER);
        assertThat(load(BASE, Map.of("REGISTRY_REDIS_ADDRS", "n1:6379,n2:6379")).config().redis().addrs())
                .containsExactly("n1:6379", "n2:6379");
    }

    @Test
    void load_healthSection_mapsChecks() throws Exception {
        String yaml = BASE + """
                health:
                  storagedriver:
                    enabled: false
                    interval: 5s
                    threshold: 3
                  file:
                    - file: /etc/entrepot/maintenance
                      interval: 2s
                  http:
                    - uri: http://127.0.0.1:9000/minio/health/live
                      headers:
                        Authorization: [Basic abc]
                      statuscode: 204
                      timeout: 3s
                      interval: 4s
                      threshold: 2
                  tcp:
                    - addr: 127.0.0.1:6379
                """;

        HealthConfig health = load(yaml, Map.of()).config().health();

        assertThat(health.storageDriver()).isEqualTo(new HealthConfig.StorageDriverCheck(false, Duration.ofSeconds(5), 3));
        assertThat(health.files()).containsExactly(new HealthConfig.FileCheck("/etc/entrepot/maintenance", Duration.ofSeconds(2)));
        assertThat(health.http()).containsExactly(new HealthConfig.HttpCheck("http://127.0.0.1:9000/minio/health/live",
                Map.of("Authorization", List.of("Basic abc")), 204, Duration.ofSeconds(3), Duration.ofSeconds(4), 2));
        assertThat(health.tcp()).containsExactly(new HealthConfig.TcpCheck("127.0.0.1:6379",
                HealthConfig.DEFAULT_TIMEOUT, HealthConfig.DEFAULT_INTERVAL, 1));
    }

    @Test
    void load_noSections_defaultsWithoutCache() throws Exception {
        RegistryConfig config = load(BASE, Map.of()).config();

        assertThat(config.cache().blobDescriptor()).isEqualTo(CacheConfig.BlobDescriptor.NONE);
        assertThat(config.redis().configured()).isFalse();
        assertThat(config.health()).isEqualTo(HealthConfig.DEFAULT);
        assertThat(config.http().trustedProxies()).isEmpty();
        assertThat(config.http().shutdownDelay()).isZero();
    }

    /** Each row appends a snippet to a valid file; the snippet holds one invalid value. */
    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
        "'storage:\n  filesystem: {}\n  cache:\n    blobdescriptor: memcached' | storage.cache.blobdescriptor | must be inmemory or redis | memcached",
        "'storage:\n  filesystem: {}\n  cache:\n    blobdescriptor: redis'     | storage.cache.blobdescriptor | set redis.addr            | redis",
        "'storage:\n  filesystem: {}\n  cache:\n    blobdescriptorsize: -1'    | storage.cache.blobdescriptorsize | must be a positive number | -1",
        "'redis:\n  addr: localhost'                        | redis.addr              | must be host:port          | localhost",
        "'redis:\n  addr: localhost:0'                      | redis.addr              | port from 1 to 65535       | localhost:0",
        "'redis:\n  addrs: [a:1, b]'                        | redis.addrs             | not b                      | [a:1, b]",
        "'redis:\n  addr: a:1\n  addrs: [b:2]'              | redis.addrs             | keep one of them           | [b:2]",
        "'redis:\n  mastername: primary'                    | redis.mastername        | no Sentinel address        | primary",
        "'redis:\n  addr: a:1\n  db: -1'                    | redis.db                | database number            | -1",
        "'redis:\n  addrs: [a:1, b:2]\n  db: 3'             | redis.db                | must be 0 with Redis Cluster | 3",
        "'redis:\n  addr: a:1\n  dialtimeout: 0s'           | redis.dialtimeout       | greater than zero          | 0s",
        "'redis:\n  addr: a:1\n  readtimeout: soon'         | redis.readtimeout       | invalid duration           | soon",
        "'redis:\n  addr: a:1\n  pool:\n    maxactive: -4'  | redis.pool.maxactive    | from 0 to                  | -4",
        "'redis:\n  addr: a:1\n  tls:\n    enabled: maybe'  | redis.tls.enabled       | must be true or false      | maybe",
        "'redis:\n  addr: a:1\n  tls:\n    enabled: true\n    cacert: /nonexistent/ca.pem' | redis.tls.cacert | not readable | /nonexistent/ca.pem",
        "'redis:\n  addr: a:1\n  tls:\n    enabled: false\n    cacert: /dev/null' | redis.tls.cacert | redis.tls.enabled is not true | /dev/null",
        "'redis: localhost'                                 | redis                   | must be a map              | localhost",
        "'health:\n  storagedriver:\n    threshold: -1'     | health.storagedriver.threshold | from 0 to 1000      | -1",
        "'health:\n  storagedriver:\n    interval: 0s'      | health.storagedriver.interval  | greater than zero   | 0s",
        "'health:\n  http:\n    - uri: ftp://x'             | health.http.0.uri       | must be an http or https URL | ftp://x",
        "'health:\n  http:\n    - uri: http://x\n      statuscode: 999' | health.http.0.statuscode | from 100 to 599 | 999",
        "'health:\n  tcp:\n    - timeout: 1s'               | health.tcp.0.addr       | missing                    | ''",
        "'health:\n  tcp: 127.0.0.1:6379'                   | health.tcp              | must be a list of checks   | 127.0.0.1:6379",
        "'health:\n  file:\n    - file: /x\n      interval: -1s' | health.file.0.interval | must not be negative | -1s",
        "'http:\n  trustedproxies: [10.0.0.0/33]'           | http.trustedproxies     | not 10.0.0.0/33            | [10.0.0.0/33]",
        "'http:\n  trustedproxies: [proxy.example.com]'     | http.trustedproxies     | not proxy.example.com      | [proxy.example.com]",
        "'http:\n  shutdowndelay: 5 seconds'                | http.shutdowndelay      | invalid duration           | 5 seconds",
    })
    void load_invalidValue_problemNamesKeyAndValue(String snippet, String key, String message, String value) throws Exception {
        String yaml = "version: 0.1\n" + (snippet.startsWith("storage:") ? "" : "storage:\n  filesystem: {}\n") + snippet + "\n";
        Path file = directory.resolve("config.yml");
        Files.writeString(file, yaml);

        ConfigException error = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(file, Map.of()));

        assertThat(error).as("no problem reported for:\n" + yaml).isNotNull();
        assertThat(error.problems()).extracting(ConfigProblem::key).containsExactly(key);
        assertThat(error.problems().get(0).message()).contains(message);
        assertThat(error.problems().get(0).value()).isEqualTo(value.isEmpty() ? null : value);
    }

    @Test
    void load_redisPasswordInvalid_valueMasked() throws Exception {
        ConfigException error = catchThrowableOfType(ConfigException.class,
                () -> load(BASE + "redis:\n  addr: a:1\n  password: [not, a, string]\n", Map.of()));

        assertThat(error.getMessage()).contains("redis.password").doesNotContain("not, a, string");
    }
}
