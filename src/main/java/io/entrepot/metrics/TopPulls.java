package io.entrepot.metrics;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The most pulled repositories, counted in bounded memory with the Space-Saving algorithm
 * (Metwally, Agrawal and El Abbadi, "Efficient Computation of Frequent and Top-k Elements in Data
 * Streams", 2005).
 *
 * <p>At most {@code capacity} repositories are tracked. A pull of an untracked repository when
 * the table is full replaces the repository with the lowest count and starts from that count
 * plus one, recording the inherited count as the entry's error. So a count never falls below
 * the true number of pulls since the start of the process, and exceeds it by at most its error.
 * Every repository pulled more than {@code pulls / capacity} times is in the table. The table
 * tracks ten times as many repositories as are reported, so the error of the reported ones stays
 * small when a few repositories take most pulls; with evenly spread pulls it can be large.
 *
 * <p>Thread-safe. Each pull costs a hash lookup, and a scan of the table when an entry must be
 * replaced.
 */
public final class TopPulls {

    /** One repository's estimated pull count, with the maximum overestimate in {@code error}. */
    public record Entry(String repository, long pulls, long error) {}

    private static final class Counter {
        long count;
        long error;
    }

    private final int size;
    private final int capacity;
    private final Map<String, Counter> counters = new HashMap<>();

    /**
     * @param size how many repositories {@link #top()} returns
     * @throws IllegalArgumentException if {@code size} is not positive
     */
    public TopPulls(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("size must be positive: " + size);
        }
        this.size = size;
        this.capacity = Math.multiplyExact(size, 10);
    }

    /** Counts one pull of {@code repository}. */
    public synchronized void record(String repository) {
        Counter counter = counters.get(repository);
        if (counter == null) {
            counter = new Counter();
            if (counters.size() >= capacity) {
                Map.Entry<String, Counter> smallest = counters.entrySet().stream()
                        .min(Comparator.comparingLong(entry -> entry.getValue().count))
                        .orElseThrow();
                counters.remove(smallest.getKey());
                counter.count = smallest.getValue().count;
                counter.error = smallest.getValue().count;
            }
            counters.put(repository, counter);
        }
        counter.count++;
    }

    /** Returns up to {@code size} repositories, most pulled first, ties in name order. */
    public synchronized List<Entry> top() {
        List<Entry> entries = new ArrayList<>(counters.size());
        counters.forEach((repository, counter) -> entries.add(new Entry(repository, counter.count, counter.error)));
        entries.sort(Comparator.comparingLong(Entry::pulls).reversed().thenComparing(Entry::repository));
        return List.copyOf(entries.subList(0, Math.min(size, entries.size())));
    }

    public int size() {
        return size;
    }
}
