package io.entrepot.cache;

import io.entrepot.config.CacheConfig;
import io.entrepot.config.GoDuration;
import io.entrepot.config.RedisConfig;
import io.entrepot.registry.BlobDescriptorCache;
import io.entrepot.registry.CollectionEpoch;
import io.entrepot.storage.StorageDriver;
import java.time.Duration;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates the blob descriptor cache that {@code storage.cache.blobdescriptor} names. */
public final class BlobDescriptorCaches {

    /** The system property that overrides {@link CollectionEpoch#STALE_LIMIT}, for tests only. */
    static final String STALE_LIMIT_PROPERTY = "entrepot.test.cacheFenceStaleLimit";

    private static final Logger log = LoggerFactory.getLogger(BlobDescriptorCaches.class);

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
     * Wraps {@code cache} for a serving instance, so that it stops serving lookups while a garbage
     * collection deletes blobs from {@code driver} (see {@link SweepFencedCache}), and starts its
     * poller. A disabled cache is returned as it is, because it has nothing to fence.
     */
    public static MeasuredCache fenceAgainstCollection(MeasuredCache cache, StorageDriver driver) {
        if (cache instanceof Disabled) {
            return cache;
        }
        return new SweepFencedCache(cache, new CollectionEpoch(driver), staleLimit()).start();
    }

    /**
     * Returns {@link CollectionEpoch#STALE_LIMIT}, or the Go duration in the system property
     * {@value #STALE_LIMIT_PROPERTY}, which tests of a real process set to see an abandoned marker
     * ignored within seconds. It is no configuration key because a limit below the default may
     * reopen caches while a live collector still deletes.
     */
    static Duration staleLimit() {
        String value = System.getProperty(STALE_LIMIT_PROPERTY);
        if (value == null) {
            return CollectionEpoch.STALE_LIMIT;
        }
        Duration limit;
        try {
            limit = GoDuration.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid system property " + STALE_LIMIT_PROPERTY + "=" + value
                    + ": expected a Go duration such as 3s", e);
        }
        log.atWarn().addKeyValue("property", STALE_LIMIT_PROPERTY).addKeyValue("stale_limit", limit)
                .addKeyValue("default", CollectionEpoch.STALE_LIMIT)
                .log("collection marker stale limit set by a test property; unsafe while a collector runs");
        return limit;
    }

    /** No cache: every lookup misses and nothing is counted. */
    private static final class Disabled extends BlobDescriptorCache.NoCache implements MeasuredCache {

        private final CacheStatistics statistics;

        Disabled(CacheStatistics statistics) {
            this.statistics = statistics;
        }

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
