package io.entrepot.cache;

import java.util.concurrent.atomic.LongAdder;

/**
 * Lookup counts of one cache, named as distribution's {@code registry_storage_cache_total}
 * counter labels them: {@code Request} for every lookup, then {@code Hit} or {@code Miss}.
 * A lookup that failed because the backend is down counts as a miss.
 */
public final class CacheStatistics {

    private final LongAdder requests = new LongAdder();
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();

    void record(boolean hit) {
        requests.increment();
        (hit ? hits : misses).increment();
    }

    public long requests() {
        return requests.sum();
    }

    public long hits() {
        return hits.sum();
    }

    public long misses() {
        return misses.sum();
    }
}
