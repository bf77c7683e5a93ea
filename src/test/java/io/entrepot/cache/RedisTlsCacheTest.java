package io.entrepot.cache;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.entrepot.config.CacheConfig;
import io.entrepot.config.ConfigLoader;
import io.entrepot.config.RedisConfig;
import io.entrepot.registry.Descriptor;
import io.entrepot.registry.Digest;
import io.entrepot.testing.RedisServer;
import io.entrepot.testing.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The Redis cache against a real redis-server that accepts only TLS, with a certificate from a
 * CA made by the test and trusted through {@code redis.tls.cacert}.
 */
@Tag("external")
class RedisTlsCacheTest {

    private static final Digest DIGEST = Digest.parse("sha256:" + "cd".repeat(32));

    @TempDir
    Path directory;

    private RedisServer redis;
    private Path serverCa;

    @BeforeEach
    void startRedis() throws Exception {
        TestCertificates ca = TestCertificates.newCa("Entrepot test Redis CA");
        TestCertificates.Issued server = ca.issueServer(TestCertificates.ecKeys());
        serverCa = TestCertificates.write(directory.resolve("ca.pem"), TestCertificates.pem(ca.caCertificate()));
        Path certificate = TestCertificates.write(directory.resolve("server.pem"), TestCertificates.pem(server.certificate()));
        Path key = TestCertificates.write(directory.resolve("server.key"), TestCertificates.pkcs8Pem(server.keys().getPrivate()));
        redis = RedisServer.startTls(directory.resolve("redis"), certificate, key);
    }

    @AfterEach
    void stopRedis() throws Exception {
        redis.close();
    }

    /** Loads the {@code redis} section from a config.yml, as an operator writes it. */
    private RedisConfig loadRedisConfig(Path caCert) throws Exception {
        Path file = directory.resolve("config.yml");
        Files.writeString(file, """
                version: 0.1
                storage:
                  filesystem:
                    rootdirectory: %s
                  cache:
                    blobdescriptor: redis
                redis:
                  addr: %s
                  tls:
                    enabled: true
                    cacert: %s
                """.formatted(directory.resolve("storage"), redis.addr(), caCert));
        return ConfigLoader.load(file, Map.of()).config().redis();
    }

    private static MeasuredCache newCache(RedisConfig config) {
        return BlobDescriptorCaches.create(new CacheConfig(CacheConfig.BlobDescriptor.REDIS, 100), config);
    }

    @Test
    void descriptor_throughTls_hits() throws Exception {
        RedisConfig config = loadRedisConfig(serverCa);
        assertThat(config.tls()).isTrue();
        assertThat(config.tlsCaCert()).isEqualTo(serverCa);

        try (MeasuredCache writer = newCache(config); MeasuredCache reader = newCache(config)) {
            writer.putDescriptor(new Descriptor(Descriptor.OCTET_STREAM, DIGEST, 42), writer.generation());

            assertThat(reader.descriptor(DIGEST)).map(Descriptor::size).contains(42L);
            assertThat(reader.statistics().errors()).isZero();
        }
    }

    @Test
    void untrustedCertificate_rejectedAndLogged() throws Exception {
        Path otherCa = TestCertificates.write(directory.resolve("other-ca.pem"),
                TestCertificates.pem(TestCertificates.newCa("Some other CA").caCertificate()));
        Logger logger = (Logger) LoggerFactory.getLogger(RedisBlobDescriptorCache.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try (MeasuredCache cache = newCache(loadRedisConfig(otherCa))) {
            cache.putDescriptor(new Descriptor(Descriptor.OCTET_STREAM, DIGEST, 42), cache.generation());

            assertThat(cache.descriptor(DIGEST)).isEmpty();
            assertThat(cache.statistics().errors()).isPositive();
            awaitTrue(() -> !appender.list.isEmpty());
        } finally {
            logger.detachAppender(appender);
        }

        String logged = appender.list.get(0).getFormattedMessage() + " " + appender.list.get(0).getKeyValuePairs();
        assertThat(logged).contains("Redis is unreachable").contains("PKIX path building failed");
    }

    private static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(20);
        while (!condition.getAsBoolean()) {
            assertThat(Instant.now()).as("condition still false after 20 s").isBefore(deadline);
            Thread.sleep(100);
        }
    }
}
