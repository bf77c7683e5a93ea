package io.entrepot.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrepot.config.CacheConfig;
import io.entrepot.config.RedisConfig;
import io.entrepot.registry.BlobDescriptorCache.LinkKind;
import io.entrepot.registry.Descriptor;
import io.entrepot.registry.Digest;
import io.entrepot.registry.RepositoryName;
import org.junit.jupiter.api.Test;

class InMemoryBlobDescriptorCacheTest {

    private static final RepositoryName REPOSITORY = RepositoryName.parse("team/app");

    private static Digest digest(int n) {
        return Digest.parse("sha256:" + String.format("%064x", n));
    }

    private static MeasuredCache cache(long size) {
        return BlobDescriptorCaches.create(new CacheConfig(CacheConfig.BlobDescriptor.INMEMORY, size), RedisConfig.NONE);
    }

    @Test
    void descriptor_afterPut_hits() {
        MeasuredCache cache = cache(10);
        cache.putDescriptor(new Descriptor(Descriptor.OCTET_STREAM, digest(1), 5), cache.generation());

        assertThat(cache.descriptor(digest(1))).map(Descriptor::size).contains(5L);
        assertThat(cache.descriptor(digest(2))).isEmpty();
        assertThat(cache.statistics().hits()).isEqualTo(1);
        assertThat(cache.statistics().misses()).isEqualTo(1);
        assertThat(cache.statistics().requests()).isEqualTo(2);
    }

    @Test
    void removeLink_thenLookup_misses() {
        MeasuredCache cache = cache(10);
        cache.putLink(LinkKind.LAYER, REPOSITORY, digest(1), cache.generation());

        cache.removeLink(LinkKind.LAYER, REPOSITORY, digest(1));

        assertThat(cache.isLinked(LinkKind.LAYER, REPOSITORY, digest(1))).isFalse();
    }

    @Test
    void manyEntries_boundedBySize() throws Exception {
        MeasuredCache cache = cache(100);
        for (int i = 0; i < 10_000; i++) {
            cache.putLink(LinkKind.LAYER, REPOSITORY, digest(i), cache.generation());
        }

        long linked = 0;
        for (int i = 0; i < 10_000; i++) {
            linked += cache.isLinked(LinkKind.LAYER, REPOSITORY, digest(i)) ? 1 : 0;
        }
        // Caffeine evicts asynchronously, so allow a little slack above the bound.
        assertThat(linked).isLessThanOrEqualTo(150);
    }

    @Test
    void noneConfigured_neverHits() {
        MeasuredCache cache = BlobDescriptorCaches.create(CacheConfig.NONE, RedisConfig.NONE);
        cache.putDescriptor(new Descriptor(Descriptor.OCTET_STREAM, digest(1), 5), cache.generation());

        assertThat(cache.descriptor(digest(1))).isEmpty();
        assertThat(cache.type()).isEqualTo("none");
    }
}
