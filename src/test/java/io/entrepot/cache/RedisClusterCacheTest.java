package io.entrepot.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrepot.config.CacheConfig;
import io.entrepot.config.RedisConfig;
import io.entrepot.registry.BlobDescriptorCache.LinkKind;
import io.entrepot.registry.Descriptor;
import io.entrepot.registry.Digest;
import io.entrepot.registry.RepositoryName;
import io.entrepot.testing.RedisCluster;
import io.lettuce.core.cluster.SlotHash;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Redis cache against a real three-node Redis Cluster, reached through {@code redis.addrs}. */
@Tag("external")
class RedisClusterCacheTest {

    private static final int ENTRIES = 200;

    @TempDir
    Path directory;

    private RedisCluster cluster;

    @BeforeEach
    void startCluster() throws Exception {
        cluster = RedisCluster.start(directory);
    }

    @AfterEach
    void stopCluster() throws Exception {
        cluster.close();
    }

    private MeasuredCache newCache() {
        RedisConfig config = new RedisConfig(cluster.addrs(), null, null, null, 0,
                Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(1), new RedisConfig.Pool(0, 0, Duration.ZERO), false);
        assertThat(config.mode()).isEqualTo(RedisConfig.Mode.CLUSTER);
        return BlobDescriptorCaches.create(new CacheConfig(CacheConfig.BlobDescriptor.REDIS, 100), config);
    }

    private static Digest digest(int i) {
        return Digest.parse("sha256:" + String.format("%064x", i));
    }

    private static RepositoryName repository(int i) {
        return RepositoryName.parse("team/app-" + i);
    }

    @Test
    void manyEntries_spreadOverSlots_putGetRemove() {
        Set<Integer> slots = new HashSet<>();
        try (MeasuredCache writer = newCache(); MeasuredCache reader = newCache()) {
            for (int i = 0; i < ENTRIES; i++) {
                writer.putDescriptor(new Descriptor(Descriptor.OCTET_STREAM, digest(i), i), writer.generation());
                writer.putLink(LinkKind.LAYER, repository(i), digest(i), writer.generation());
                slots.add(SlotHash.getSlot("entrepot:blob:" + digest(i)));
            }

            for (int i = 0; i < ENTRIES; i++) {
                assertThat(reader.descriptor(digest(i))).as("descriptor %d", i).map(Descriptor::size).contains((long) i);
                assertThat(reader.isLinked(LinkKind.LAYER, repository(i), digest(i))).as("link %d", i).isTrue();
            }
            for (int i = 0; i < ENTRIES; i += 2) {
                writer.removeDescriptor(digest(i));
                writer.removeLink(LinkKind.LAYER, repository(i), digest(i));
            }

            for (int i = 0; i < ENTRIES; i++) {
                boolean removed = i % 2 == 0;
                assertThat(reader.descriptor(digest(i)).isPresent()).as("descriptor %d present", i).isEqualTo(!removed);
                assertThat(reader.isLinked(LinkKind.LAYER, repository(i), digest(i))).as("link %d", i).isEqualTo(!removed);
            }
            assertThat(reader.statistics().errors()).isZero();
            assertThat(writer.statistics().errors()).isZero();
        }
        // With 200 keys, every node stores some of them, because each owns a third of the 16384 slots.
        assertThat(slots).anyMatch(slot -> slot < 5461).anyMatch(slot -> slot > 10923);
    }

    @Test
    void nodeStopped_itsKeysMiss_thenHitAgain() throws Exception {
        try (MeasuredCache cache = newCache()) {
            for (int i = 0; i < ENTRIES; i++) {
                cache.putDescriptor(new Descriptor(Descriptor.OCTET_STREAM, digest(i), i), cache.generation());
            }
            cluster.node(0).stop();

            // The stopped node's keys miss instead of failing the request, and so do the others once
            // the cluster reports a failed state.
            int misses = 0;
            for (int i = 0; i < ENTRIES; i++) {
                if (cache.descriptor(digest(i)).isEmpty()) {
                    misses++;
                }
            }
            assertThat(misses).isPositive();
            assertThat(cache.statistics().errors()).isPositive();

            cluster.node(0).start();
            cluster.awaitState("ok");
            awaitTrue(() -> allPresent(cache));
        }
    }

    private static boolean allPresent(MeasuredCache cache) {
        for (int i = 0; i < ENTRIES; i++) {
            if (cache.descriptor(digest(i)).isEmpty()) {
                return false;
            }
        }
        return true;
    }

    private static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(60);
        while (!condition.getAsBoolean()) {
            assertThat(Instant.now()).as("condition still false after 60 s").isBefore(deadline);
            Thread.sleep(200);
        }
    }
}
