package io.entrepot.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrepot.config.CacheConfig;
import io.entrepot.config.RedisConfig;
import io.entrepot.registry.BlobDescriptorCache.LinkKind;
import io.entrepot.registry.Descriptor;
import io.entrepot.registry.Digest;
import io.entrepot.registry.RepositoryName;
import io.entrepot.testing.RedisServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Redis cache against a real redis-server, including one stopped and started mid-test. */
@Tag("external")
class RedisBlobDescriptorCacheTest {

    private static final Digest DIGEST = Digest.parse("sha256:" + "ab".repeat(32));
    private static final RepositoryName REPOSITORY = RepositoryName.parse("team/app");

    @TempDir
    Path directory;

    private RedisServer redis;

    @BeforeEach
    void startRedis() throws Exception {
        redis = RedisServer.start(directory.resolve("redis"));
    }

    @AfterEach
    void stopRedis() throws Exception {
        redis.close();
    }

    private MeasuredCache newCache() {
        RedisConfig config = new RedisConfig(List.of(redis.addr()), null, null, null, 0,
                Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(1), new RedisConfig.Pool(0, 0, Duration.ZERO), false);
        return BlobDescriptorCaches.create(new CacheConfig(CacheConfig.BlobDescriptor.REDIS, 100), config);
    }

    @Test
    void descriptor_afterPut_hitsAndCounts() {
        try (MeasuredCache cache = newCache()) {
            assertThat(cache.descriptor(DIGEST)).isEmpty();
            cache.putDescriptor(new Descriptor(Descriptor.OCTET_STREAM, DIGEST, 1234), cache.generation());

            Optional<Descriptor> hit = cache.descriptor(DIGEST);

            assertThat(hit).contains(new Descriptor(Descriptor.OCTET_STREAM, DIGEST, 1234));
            assertThat(cache.statistics().requests()).isEqualTo(2);
            assertThat(cache.statistics().hits()).isEqualTo(1);
            assertThat(cache.statistics().misses()).isEqualTo(1);
        }
    }

    @Test
    void removeLink_onOneInstance_seenByAnother() {
        try (MeasuredCache first = newCache(); MeasuredCache second = newCache()) {
            first.putLink(LinkKind.LAYER, REPOSITORY, DIGEST, first.generation());
            assertThat(second.isLinked(LinkKind.LAYER, REPOSITORY, DIGEST)).isTrue();

            first.removeLink(LinkKind.LAYER, REPOSITORY, DIGEST);

            assertThat(second.isLinked(LinkKind.LAYER, REPOSITORY, DIGEST)).isFalse();
        }
    }

    @Test
    void linkKinds_areSeparate() {
        try (MeasuredCache cache = newCache()) {
            cache.putLink(LinkKind.REVISION, REPOSITORY, DIGEST, cache.generation());

            assertThat(cache.isLinked(LinkKind.LAYER, REPOSITORY, DIGEST)).isFalse();
            assertThat(cache.isLinked(LinkKind.REVISION, REPOSITORY, DIGEST)).isTrue();
            assertThat(cache.isLinked(LinkKind.REVISION, RepositoryName.parse("team/other"), DIGEST)).isFalse();
        }
    }

    @Test
    void redisStopped_lookupsMissQuickly_thenHitAgain() throws Exception {
        try (MeasuredCache cache = newCache()) {
            cache.putDescriptor(new Descriptor(Descriptor.OCTET_STREAM, DIGEST, 7), cache.generation());
            redis.stop();

            Instant start = Instant.now();
            for (int i = 0; i < 50; i++) {
                assertThat(cache.descriptor(DIGEST)).isEmpty();
            }
            // Commands are rejected while disconnected rather than each waiting for the 1 s timeout.
            assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(5));

            redis.start();
            awaitTrue(() -> cache.descriptor(DIGEST).isPresent());
            assertThat(cache.descriptor(DIGEST)).map(Descriptor::size).contains(7L);
        }
    }

    @Test
    void removalDuringOutage_replayedAfterRecovery() throws Exception {
        try (MeasuredCache deleting = newCache(); MeasuredCache other = newCache()) {
            deleting.putLink(LinkKind.LAYER, REPOSITORY, DIGEST, deleting.generation());
            redis.stop();

            deleting.removeLink(LinkKind.LAYER, REPOSITORY, DIGEST);
            redis.start();

            // The other instance must not see the link once the deleting instance talks to Redis again.
            awaitTrue(() -> {
                deleting.descriptor(DIGEST);
                return !other.isLinked(LinkKind.LAYER, REPOSITORY, DIGEST);
            });
            assertThat(other.isLinked(LinkKind.LAYER, REPOSITORY, DIGEST)).isFalse();
        }
    }

    @Test
    void redisDownAtStart_missesThenConnects() throws Exception {
        redis.stop();
        try (MeasuredCache cache = newCache()) {
            assertThat(cache.descriptor(DIGEST)).isEmpty();
            cache.putDescriptor(new Descriptor(Descriptor.OCTET_STREAM, DIGEST, 9), cache.generation());

            redis.start();
            awaitTrue(() -> {
                cache.putDescriptor(new Descriptor(Descriptor.OCTET_STREAM, DIGEST, 9), cache.generation());
                return cache.descriptor(DIGEST).isPresent();
            });
        }
    }

    @Test
    void sentinel_findsMasterAndCaches() throws Exception {
        try (RedisServer sentinel = RedisServer.startSentinel(directory.resolve("sentinel"), redis, "primary")) {
            RedisConfig config = new RedisConfig(List.of(sentinel.addr()), "primary", null, null, 0,
                    Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(1), new RedisConfig.Pool(0, 0, Duration.ZERO), false);
            try (MeasuredCache throughSentinel = BlobDescriptorCaches.create(new CacheConfig(CacheConfig.BlobDescriptor.REDIS, 100), config);
                    MeasuredCache direct = newCache()) {
                awaitTrue(() -> {
                    throughSentinel.putLink(LinkKind.LAYER, REPOSITORY, DIGEST, throughSentinel.generation());
                    return direct.isLinked(LinkKind.LAYER, REPOSITORY, DIGEST);
                });

                assertThat(throughSentinel.isLinked(LinkKind.LAYER, REPOSITORY, DIGEST)).isTrue();
            }
        }
    }

    private static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(20);
        while (!condition.getAsBoolean()) {
            assertThat(Instant.now()).as("condition still false after 20 s").isBefore(deadline);
            Thread.sleep(100);
        }
    }
}
