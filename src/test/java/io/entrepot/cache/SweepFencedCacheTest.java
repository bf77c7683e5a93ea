package io.entrepot.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrepot.config.CacheConfig;
import io.entrepot.config.RedisConfig;
import io.entrepot.registry.BlobDescriptorCache.LinkKind;
import io.entrepot.registry.CollectionEpoch;
import io.entrepot.registry.Descriptor;
import io.entrepot.registry.Digest;
import io.entrepot.registry.RepositoryName;
import io.entrepot.storage.StorageDriver;
import io.entrepot.storage.inmemory.InMemoryDriver;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SweepFencedCacheTest {

    private static final RepositoryName REPOSITORY = RepositoryName.parse("team/app");
    private static final Digest BLOB = Digest.parse("sha256:" + "ab".repeat(32));
    private static final Descriptor DESCRIPTOR = new Descriptor(Descriptor.OCTET_STREAM, BLOB, 5);

    private final StorageDriver driver = new InMemoryDriver();
    private final CollectionEpoch epoch = new CollectionEpoch(driver);
    private final MeasuredCache inMemory = BlobDescriptorCaches.create(new CacheConfig(CacheConfig.BlobDescriptor.INMEMORY, 100), RedisConfig.NONE);
    private final SweepFencedCache cache = new SweepFencedCache(inMemory, epoch, Duration.ofHours(1), Duration.ofHours(1));

    @Test
    void neverCollected_cacheAnswersAfterFirstPoll() {
        cache.putDescriptor(DESCRIPTOR);
        assertThat(cache.descriptor(BLOB)).as("before the first poll").isEmpty();

        cache.poll();
        cache.putDescriptor(DESCRIPTOR);

        assertThat(cache.descriptor(BLOB)).contains(DESCRIPTOR);
    }

    @Test
    void sweeping_lookupsMissAndPutsDropped() throws Exception {
        cache.poll();
        cache.putDescriptor(DESCRIPTOR);
        cache.putLink(LinkKind.LAYER, REPOSITORY, BLOB);

        epoch.publish(true, Instant.now());
        cache.poll();
        cache.putDescriptor(new Descriptor(Descriptor.OCTET_STREAM, Digest.parse("sha256:" + "cd".repeat(32)), 1));

        assertThat(cache.descriptor(BLOB)).isEmpty();
        assertThat(cache.isLinked(LinkKind.LAYER, REPOSITORY, BLOB)).isFalse();
        assertThat(inMemory.descriptor(Digest.parse("sha256:" + "cd".repeat(32)))).as("put while sweeping").isEmpty();
        assertThat(cache.statistics().misses()).as("bypassed lookups count as misses").isGreaterThanOrEqualTo(2);
    }

    @Test
    void idleAfterSweep_dropsEntriesCachedBefore() throws Exception {
        cache.poll();
        cache.putDescriptor(DESCRIPTOR);
        cache.putLink(LinkKind.LAYER, REPOSITORY, BLOB);

        epoch.publish(true, Instant.now());
        epoch.publish(false, Instant.now());
        cache.poll();

        assertThat(cache.descriptor(BLOB)).isEmpty();
        assertThat(cache.isLinked(LinkKind.LAYER, REPOSITORY, BLOB)).isFalse();
        cache.putDescriptor(DESCRIPTOR);
        assertThat(cache.descriptor(BLOB)).as("open again after the sweep").contains(DESCRIPTOR);
    }

    @Test
    void unchangedEpoch_keepsEntries() {
        cache.poll();
        cache.putDescriptor(DESCRIPTOR);

        cache.poll();

        assertThat(cache.descriptor(BLOB)).contains(DESCRIPTOR);
    }

    @Test
    void validityLapsed_lookupsMiss() throws Exception {
        SweepFencedCache shortLived = new SweepFencedCache(inMemory, epoch, Duration.ofHours(1), Duration.ofMillis(50));
        shortLived.poll();
        shortLived.putDescriptor(DESCRIPTOR);

        Thread.sleep(100);

        assertThat(shortLived.descriptor(BLOB)).isEmpty();
        assertThat(inMemory.descriptor(BLOB)).as("the entry itself stays").contains(DESCRIPTOR);
    }

    @Test
    void unreadableEpoch_keepsCacheClosed() throws Exception {
        driver.putContent(CollectionEpoch.PATH, "garbage".getBytes(StandardCharsets.UTF_8));

        cache.poll();
        cache.putDescriptor(DESCRIPTOR);

        assertThat(cache.descriptor(BLOB)).isEmpty();
    }

    @Test
    void removals_passWhileSweeping() throws Exception {
        cache.poll();
        cache.putDescriptor(DESCRIPTOR);
        epoch.publish(true, Instant.now());
        cache.poll();

        cache.removeDescriptor(BLOB);

        assertThat(inMemory.descriptor(BLOB)).isEmpty();
    }

    @Test
    void started_pollsInBackground() throws Exception {
        SweepFencedCache polling = new SweepFencedCache(inMemory, epoch, Duration.ofMillis(20), Duration.ofHours(1)).start();
        try {
            polling.putDescriptor(DESCRIPTOR);
            assertThat(polling.descriptor(BLOB)).contains(DESCRIPTOR);

            epoch.publish(true, Instant.now());
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (polling.isOpen() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }

            assertThat(polling.descriptor(BLOB)).as("closed by the background poll").isEmpty();
        } finally {
            polling.close();
        }
    }
}
