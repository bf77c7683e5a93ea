package io.entrepot.registry;

import io.entrepot.storage.PathNotFoundException;
import io.entrepot.storage.StorageDriver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * The collection epoch: one small file in storage through which a garbage collector tells every
 * instance's blob descriptor cache that deletions are about to start, and that they ended.
 *
 * <p>The file {@value #PATH} contains {@code <state> <id> <time>}, where state is
 * {@code sweeping} or {@code idle} and id changes at every publication. A missing file reads as
 * idle with an empty id, which is the state of a storage that was never collected.
 *
 * <p>The timing contract, which {@link #CACHE_VALIDITY} and {@link #FENCE_WAIT} encode: an
 * instance polls the file every {@link #POLL_INTERVAL}, and its cache answers a lookup only
 * within {@link #CACHE_VALIDITY} of the start of a poll that read {@code idle}. A collector that
 * publishes {@code sweeping} and then waits {@link #FENCE_WAIT} before its first delete therefore
 * knows that no instance answers from its cache until the collector publishes {@code idle} again.
 */
public final class CollectionEpoch {

    /** The epoch file, beside {@code blobs} and {@code repositories}, where distribution never looks. */
    public static final String PATH = StorageLayout.ROOT + "/_entrepot/gc/epoch";

    /** Time between two reads of the epoch file by one instance. */
    public static final Duration POLL_INTERVAL = Duration.ofSeconds(2);

    /**
     * How long after the start of a poll that read {@code idle} a cache may answer. It spans two
     * poll intervals and a margin, so that one slow storage read does not turn the cache off.
     */
    public static final Duration CACHE_VALIDITY = POLL_INTERVAL.multipliedBy(2).plusSeconds(1);

    /**
     * How long a collector waits between publishing {@code sweeping} and its first delete: the
     * cache validity, plus one second for the rate difference of clocks on different machines.
     */
    public static final Duration FENCE_WAIT = CACHE_VALIDITY.plusSeconds(1);

    /** One reading of the epoch file. */
    public record State(boolean sweeping, String id, Instant publishedAt) {

        /** The state of a storage whose epoch file does not exist. */
        public static final State NEVER_COLLECTED = new State(false, "", Instant.EPOCH);
    }

    private final StorageDriver driver;

    public CollectionEpoch(StorageDriver driver) {
        this.driver = driver;
    }

    /** Reads the epoch file; an absent or unreadable file reads as {@link State#NEVER_COLLECTED}. */
    public State read() throws IOException {
        String text;
        try {
            text = new String(driver.getContent(PATH), StandardCharsets.UTF_8).trim();
        } catch (PathNotFoundException e) {
            return State.NEVER_COLLECTED;
        }
        String[] fields = text.split(" ");
        if (fields.length != 3 || !(fields[0].equals("sweeping") || fields[0].equals("idle"))) {
            // Never written by Entrepot. Reading it as sweeping keeps caches off, which is the safe side.
            return new State(true, text, Instant.EPOCH);
        }
        Instant publishedAt;
        try {
            publishedAt = Instant.parse(fields[2]);
        } catch (java.time.format.DateTimeParseException e) {
            return new State(true, text, Instant.EPOCH);
        }
        return new State(fields[0].equals("sweeping"), fields[1], publishedAt);
    }

    /** Writes a new epoch with a fresh id, in the {@code sweeping} or {@code idle} state. */
    public State publish(boolean sweeping, Instant now) throws IOException {
        State state = new State(sweeping, UUID.randomUUID().toString(), now);
        String text = (sweeping ? "sweeping" : "idle") + " " + state.id() + " " + now;
        driver.putContent(PATH, text.getBytes(StandardCharsets.UTF_8));
        return state;
    }
}
