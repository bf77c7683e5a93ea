package io.entrepot.cache;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Lookup counts of one cache, named as distribution's {@code registry_storage_cache_total}
 * counter labels them: {@code Request} for every lookup, then {@code Hit} or {@code Miss}, and
 * {@code Error} for a lookup that failed because the backend is down, which also counts as a miss.
 * Each event is also passed to an observer, such as the Prometheus counter.
 */
public final class CacheStatistics {

    /** A counted event, with distribution's label value. */
    public enum Event {
        REQUEST("Request"), HIT("Hit"), MISS("Miss"), ERROR("Error");

        private final String label;

        Event(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private final LongAdder requests = new LongAdder();
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final Consumer<Event> observer;

    CacheStatistics(Consumer<Event> observer) {
        this.observer = observer;
    }

    void record(boolean hit) {
        requests.increment();
        (hit ? hits : misses).increment();
        observer.accept(Event.REQUEST);
        observer.accept(hit ? Event.HIT : Event.MISS);
    }

    void recordError() {
        errors.increment();
        observer.accept(Event.ERROR);
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

    /** Returns the number of backend commands that failed, lookups and writes alike. */
    public long errors() {
        return errors.sum();
    }
}
