package io.entrepot.cache;

import io.entrepot.config.CacheConfig;
import io.entrepot.config.RedisConfig;
import io.entrepot.registry.BlobDescriptorCache;
import io.entrepot.registry.CollectionEpoch;
import io.entrepot.registry.Descriptor;
import io.entrepot.registry.Digest;
import io.entrepot.registry.RepositoryName;
import io.entrepot.storage.StorageDriver;
import java.util.Optional;
import java.util.function.Consumer;

/** Creates the blob descriptor cache that {@code storage.cache.blobdescriptor} names. */
public final class BlobDescriptorCaches {

    private BlobDescriptorCaches() {}

    /** Returns the configured cache, whose lookups are not observed beyond its own counts. */
    public static MeasuredCache create(CacheConfig cache, RedisConfig redis) {
        return create(cache, redis, event -> {});
    }

    /**
     * Returns the configured cache, passing every counted lookup event to {@code observer}. A
     * Redis cache returns at once even when Redis is down: it misses until a background
     * connection attempt succeeds.
     */
    public static MeasuredCache create(CacheConfig cache, RedisConfig redis, Consumer<CacheStatistics.Event> observer) {
        CacheStatistics statistics = new CacheStatistics(observer);
        return switch (cache.blobDescriptor()) {
            case NONE -> new Disabled(statistics);
            case INMEMORY -> new InMemoryBlobDescriptorCache(cache.blobDescriptorSize(), statistics);
            case REDIS -> new RedisBlobDescriptorCache(redis, statistics);
        };
    }

    /**
     * Wraps {@code cache} for a serving instance, so that it stops answering while a garbage
     * collection deletes blobs from {@code driver} (see {@link SweepFencedCache}), and starts its
     * poller. A disabled cache is returned as it is, because it has nothing to fence.
     */
    public static MeasuredCache fenceAgainstCollection(MeasuredCache cache, StorageDriver driver) {
        if (cache instanceof Disabled) {
            return cache;
        }
        return new SweepFencedCache(cache, new CollectionEpoch(driver)).start();
    }

    /** No cache: every lookup misses and nothing is counted. */
    private static final class Disabled implements MeasuredCache {

        private final CacheStatistics statistics;

        Disabled(CacheStatistics statistics) {
            this.statistics = statistics;
        }

        @Override
        public Optional<Descriptor> descriptor(Digest digest) {
            return Optional.empty();
        }

        @Override
        public void putDescriptor(Descriptor descriptor) {}

        @Override
        public void removeDescriptor(Digest digest) {}

        @Override
        public boolean isLinked(LinkKind kind, RepositoryName repository, Digest digest) {
            return false;
        }

        @Override
        public void putLink(LinkKind kind, RepositoryName repository, Digest digest) {}

        @Override
        public void removeLink(LinkKind kind, RepositoryName repository, Digest digest) {}

        @Override
        public CacheStatistics statistics() {
            return statistics;
        }

        @Override
        public String type() {
            return "none";
        }
    }
}
