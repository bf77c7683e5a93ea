package io.entrepot.registry;

import io.entrepot.storage.PathNotFoundException;
import io.entrepot.storage.StorageDriver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.UUID;

/**
 * The collection epoch: one small file in storage through which a garbage collector signals to every
 * instance's blob descriptor cache that deletions are about to start, that they are still going
 * on, and that they ended.
 *
 * <p>The file {@value #PATH} contains {@code <state> <id> <time>}, where state is
 * {@code sweeping} or {@code idle}, id changes at every fence, and time is the collector's clock
 * when it wrote the file. A missing file reads as idle with an empty id, which is the state of a
 * storage that was never collected.
 *
 * <p>The timing contract, which the constants below encode and {@code SweepFencedCache} explains:
 * an instance polls the file every {@link #POLL_INTERVAL}, and its cache serves a lookup only
 * within {@link #CACHE_VALIDITY} of the start of a poll that read {@code idle}. A collector that
 * publishes {@code sweeping} and then waits {@link #FENCE_WAIT} before its first delete can therefore
 * rely on no instance serving lookups from its cache until the collector publishes {@code idle} again.
 * While it sweeps, the collector rewrites the marker every {@link #HEARTBEAT_INTERVAL} and deletes
 * only within {@link #HEARTBEAT_DEADLINE} of the start of its last successful write. An instance
 * that sees the same {@code sweeping} content for {@link #STALE_LIMIT} treats the fence as
 * abandoned by a collector that stopped, and uses its cache again.
 */
public final class CollectionEpoch {

    /** The epoch file, beside {@code blobs} and {@code repositories}, where distribution never looks. */
    public static final String PATH = StorageLayout.ROOT + "/_entrepot/gc/epoch";

    /** Time between two reads of the epoch file by one instance. */
    public static final Duration POLL_INTERVAL = Duration.ofSeconds(2);

    /**
     * How long after the start of a poll that read {@code idle} a cache may serve lookups. It spans two
     * poll intervals and a margin, so that one slow storage read does not turn the cache off.
     */
    public static final Duration CACHE_VALIDITY = POLL_INTERVAL.multipliedBy(2).plusSeconds(1);

    /**
     * How long a collector waits between publishing {@code sweeping} and its first delete: the
     * cache validity, plus one second for the rate difference of clocks on different machines.
     */
    public static final Duration FENCE_WAIT = CACHE_VALIDITY.plusSeconds(1);

    /** Time between two rewrites of the {@code sweeping} marker by a collector that is still sweeping. */
    public static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(10);

    /**
     * How long after the start of its last successful marker write a collector may start a delete.
     * It spans the heartbeat interval twice and a margin, so one failed or slow write does not stop
     * a collection.
     */
    public static final Duration HEARTBEAT_DEADLINE = HEARTBEAT_INTERVAL.multipliedBy(3);

    /**
     * How long an instance must see one unchanged {@code sweeping} marker before it treats the fence
     * as abandoned and uses its cache again. The 90 s beyond {@link #HEARTBEAT_DEADLINE} are the
     * allowance for a delete that takes effect after the collector checked its deadline: a slow
     * storage call or a pause of the collector's process between the check and the call.
     */
    public static final Duration STALE_LIMIT = HEARTBEAT_DEADLINE.plusSeconds(90);

    /**
     * One reading of the epoch file. {@code text} is the file's content as read, which changes at
     * every heartbeat even when the id does not.
     */
    public record State(boolean sweeping, String id, Instant publishedAt, String text) {

        /** The state of a storage whose epoch file does not exist. */
        public static final State NEVER_COLLECTED = new State(false, "", Instant.EPOCH, "");

        /**
         * Returns the state of a file that Entrepot did not write. It reads as sweeping, which keeps
         * caches off: the safe side, because no collector rewrites it.
         */
        static State unrecognised(String text) {
            return new State(true, "", Instant.EPOCH, text);
        }

        /** Returns whether the file had the {@code <state> <id> <time>} form that collectors write. */
        public boolean recognised() {
            return !id.isEmpty() || !sweeping;
        }
    }

    private final StorageDriver driver;

    public CollectionEpoch(StorageDriver driver) {
        this.driver = driver;
    }

    /** Reads the epoch file; an absent file reads as {@link State#NEVER_COLLECTED}. */
    public State read() throws IOException {
        String text;
        try {
            text = new String(driver.getContent(PATH), StandardCharsets.UTF_8).trim();
        } catch (PathNotFoundException e) {
            return State.NEVER_COLLECTED;
        }
        String[] fields = text.split(" ");
        if (fields.length != 3 || !(fields[0].equals("sweeping") || fields[0].equals("idle")) || fields[1].isEmpty()) {
            return State.unrecognised(text);
        }
        Instant publishedAt;
        try {
            publishedAt = Instant.parse(fields[2]);
        } catch (DateTimeParseException e) {
            return State.unrecognised(text);
        }
        return new State(fields[0].equals("sweeping"), fields[1], publishedAt, text);
    }

    /** Writes a new epoch with a fresh id, in the {@code sweeping} or {@code idle} state. */
    public State publish(boolean sweeping, Instant now) throws IOException {
        return write(sweeping, UUID.randomUUID().toString(), now);
    }

    /**
     * Rewrites the {@code sweeping} marker of {@code fence} with the time {@code now}, so that
     * instances see that its collector is still alive.
     */
    public State refresh(State fence, Instant now) throws IOException {
        if (!fence.sweeping()) {
            throw new IllegalArgumentException("only a sweeping marker is refreshed, not " + fence.text());
        }
        return write(true, fence.id(), now);
    }

    private State write(boolean sweeping, String id, Instant now) throws IOException {
        String text = (sweeping ? "sweeping" : "idle") + " " + id + " " + now;
        driver.putContent(PATH, text.getBytes(StandardCharsets.UTF_8));
        return new State(sweeping, id, now, text);
    }
}
