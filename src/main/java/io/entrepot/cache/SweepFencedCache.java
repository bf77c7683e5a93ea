package io.entrepot.cache;

import io.entrepot.registry.CollectionEpoch;
import io.entrepot.registry.Descriptor;
import io.entrepot.registry.Digest;
import io.entrepot.registry.RepositoryName;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wraps the blob descriptor cache of a serving instance so that it never serves a lookup for a blob
 * that a garbage collection, run by any instance or by {@code entrepot garbage-collect}, may delete.
 *
 * <p>A background thread reads the {@link CollectionEpoch} every
 * {@link CollectionEpoch#POLL_INTERVAL}. The cache serves lookups and accepts new entries only
 * while the last poll read {@code idle} and started less than {@link CollectionEpoch#CACHE_VALIDITY}
 * ago. Otherwise every lookup misses and reads storage. A new entry is also dropped when a fence
 * was raised after its {@link #generation} was taken. Each time the epoch id changes, the
 * entries held in this process are dropped. Removals always go through, because the collector
 * relies on them to clear Redis. A {@code sweeping} marker that stays unchanged for
 * {@link CollectionEpoch#STALE_LIMIT} was left by a collector that stopped: the cache then drops
 * its entries and serves lookups again, as after {@code idle}.
 */
public final class SweepFencedCache implements MeasuredCache {

    /*
     * Why no entry survives a collection. The collector publishes "sweeping", waits
     * CollectionEpoch.FENCE_WAIT, deletes, then publishes "idle" with a new id.
     *
     * - A poll that started before the "sweeping" write read "idle", so it keeps the cache open
     *   until at most CACHE_VALIDITY after that write, which is before the first delete. A poll
     *   that started after the write reads "sweeping" (storage reads see earlier writes) and closes
     *   the cache at once. So while blobs are deleted, no instance serves lookups from its cache, and no
     *   instance adds an entry.
     * - The first poll that reads the new "idle" id drops every entry held in this process, so
     *   entries cached before the collection, which may name deleted blobs, are gone before the
     *   cache opens again. Entries in Redis were removed by the collector itself.
     *
     * Staleness costs storage reads, never wrong results: an instance whose polls fail (storage
     * unreachable, a stalled thread) lets the validity lapse and reads storage until a poll succeeds.
     *
     * Why an abandoned marker may be ignored. A collector killed while it sweeps never publishes
     * "idle". A live collector rewrites its marker every HEARTBEAT_INTERVAL with a new time, and
     * SweepFence rejects every delete that starts HEARTBEAT_DEADLINE or later after the start b of
     * its last successful write. A write that returns after that deadline extends nothing. This
     * instance records o, the end of the poll that first read the current marker text, on its own
     * monotonic clock, and treats the marker as abandoned at a poll that starts at t with
     * t - o > STALE_LIMIT and reads the same text again.
     *
     * - o >= b for the write b of that text, because the poll that first read it ended after the
     *   write took effect, and the write took effect after it started.
     * - No later write of the live collector can have taken effect before t: a later write that
     *   extended the fence returned before b + HEARTBEAT_DEADLINE < o + STALE_LIMIT < t, and the
     *   read at t or after would have returned it.
     * - So the collector's last accepted write started at b or earlier, and its deletes all started
     *   before b + HEARTBEAT_DEADLINE, which is more than 90 s before t.
     *
     * Each duration is measured on one machine's monotonic clock, so the wall clocks of the
     * collector and of this instance may disagree by any amount: the time written in the marker is
     * only logged. Only the rate at which the two clocks advance matters, and the 90 s margin,
     * which is also the allowance for a delete that takes effect late, absorbs any realistic
     * difference. The inequalities: CACHE_VALIDITY < FENCE_WAIT (a poll before the raise lapses
     * before the first delete); POLL_INTERVAL < CACHE_VALIDITY and HEARTBEAT_INTERVAL <
     * HEARTBEAT_DEADLINE (a healthy cache and a healthy collector keep going); FENCE_WAIT <
     * HEARTBEAT_DEADLINE (the first delete comes before the deadline when the raise was fast); and
     * HEARTBEAT_DEADLINE + (slowest delete, plus any pause between the check and the call) <
     * STALE_LIMIT.
     *
     * Why an entry read before a collection is not written after it. A put carries the generation
     * that its caller took before reading storage (BlobDescriptorCache.generation). The generation
     * goes up, before any entry is dropped, at every poll that closes the cache for a sweeping
     * marker, reads a new epoch id, or takes a marker for abandoned. A put is written only when the
     * cache is open and the generation is unchanged, both checked before the delegate's write and
     * again after it returns; when the second check fails, the entry is removed again. Take a put
     * whose second check, at time v, passes, with its generation taken at k before the storage read.
     *
     * - The cache is open at v, so the last poll that read "idle" started at s > v - CACHE_VALIDITY
     *   and ended before v. The generation is unchanged at v, so no poll between k and v read a new
     *   id or a sweeping marker.
     * - A collection that raised its fence at R, before s, wrote a new id, so the poll at s read an
     *   "idle" written after R: the collection's own, published after its last delete, or a later
     *   one. The first poll that read that id changed the generation, so it ended before k, and the
     *   storage read after k saw every delete.
     * - A collection that raised its fence after s deletes nothing before R + FENCE_WAIT >
     *   v - CACHE_VALIDITY + FENCE_WAIT > v, so the entry was written before its first delete, and
     *   the rules above drop it: this process drops it on reading the new id, and the collector
     *   removes it from Redis after the delete.
     * - A marker taken for abandoned changes the generation, so a put whose read may precede one of
     *   the dead collector's late deletes is dropped; reads after it are covered by the stale limit.
     *
     * A validity that lapses without a poll does not change the generation, because a collection
     * that starts during the lapse writes a new id, which the next successful poll reads before the
     * cache opens again. Puts after an upload or a link write take the generation before the storage
     * write, so they are covered in the same way. Without that, a blob just stored is protected by
     * the claim and the grace period only for the grace period, which a stalled thread can outlast.
     *
     * NOTE: the second check covers a delegate write that has taken effect when the call returns.
     * A Redis write that times out in this process and that Redis executes later is not covered: it
     * can add an entry after the collector removed it.
     */

    private static final Logger log = LoggerFactory.getLogger(SweepFencedCache.class);

    private final MeasuredCache delegate;
    private final CollectionEpoch epoch;
    private final Duration pollInterval;
    private final Duration validity;
    private final Duration staleLimit;
    private final LongSupplier nanoTime;
    private final AtomicBoolean pollFailing = new AtomicBoolean();
    /** The fence generation, raised by the poller at every close, epoch id change and abandoned marker. */
    private final AtomicLong fenceGeneration = new AtomicLong(1);
    private volatile long openUntilNanos;
    private volatile boolean open;
    private volatile boolean abandoned;
    private volatile boolean lastReadSweeping;
    private volatile String epochId;
    /** The epoch file's text at the last successful poll, and when a poll first read it. Written by the poller only. */
    private String observedText;
    private long observedAtNanos;
    private String unrecognisedReported;
    private volatile boolean closed;
    private Thread poller;

    /** Wraps {@code delegate}; {@link #start} begins polling, and the cache stays closed until the first poll. */
    public SweepFencedCache(MeasuredCache delegate, CollectionEpoch epoch) {
        this(delegate, epoch, CollectionEpoch.STALE_LIMIT);
    }

    /**
     * For tests of a real process: a shorter {@code staleLimit} lets an abandoned marker be ignored
     * sooner, but one below {@link CollectionEpoch#STALE_LIMIT} may reopen the cache while a live
     * collector still deletes.
     */
    SweepFencedCache(MeasuredCache delegate, CollectionEpoch epoch, Duration staleLimit) {
        this(delegate, epoch, CollectionEpoch.POLL_INTERVAL, CollectionEpoch.CACHE_VALIDITY, staleLimit, System::nanoTime);
    }

    /**
     * For tests: a collector must then wait longer than {@code validity} after publishing, and
     * {@code nanoTime} is the monotonic clock that the validity and the stale limit are measured on.
     */
    SweepFencedCache(MeasuredCache delegate, CollectionEpoch epoch, Duration pollInterval, Duration validity,
            Duration staleLimit, LongSupplier nanoTime) {
        this.delegate = delegate;
        this.epoch = epoch;
        this.pollInterval = pollInterval;
        this.validity = validity;
        this.staleLimit = staleLimit;
        this.nanoTime = nanoTime;
        this.openUntilNanos = nanoTime.getAsLong();
    }

    /** Polls once now, then starts the background poller. */
    public SweepFencedCache start() {
        poll();
        poller = Thread.ofVirtual().name("entrepot-cache-epoch").start(this::pollUntilClosed);
        return this;
    }

    private void pollUntilClosed() {
        while (!closed) {
            try {
                Thread.sleep(pollInterval);
            } catch (InterruptedException e) {
                return;
            }
            poll();
        }
    }

    /** Reads the epoch once and opens, closes or empties the cache accordingly. */
    void poll() {
        long started = nanoTime.getAsLong();
        CollectionEpoch.State state;
        try {
            state = epoch.read();
        } catch (IOException | RuntimeException e) {
            if (pollFailing.compareAndSet(false, true)) {
                log.atWarn().addKeyValue("path", CollectionEpoch.PATH).addKeyValue("error", e.toString())
                        .log("failed to read the collection epoch, so the blob descriptor cache is bypassed until a read succeeds");
            }
            return;
        }
        long finished = nanoTime.getAsLong();
        if (pollFailing.compareAndSet(true, false)) {
            log.atInfo().addKeyValue("path", CollectionEpoch.PATH).log("collection epoch readable again");
        }
        if (!state.text().equals(observedText)) {
            observedText = state.text();
            observedAtNanos = finished;
        }
        boolean stale = state.sweeping() && state.recognised() && started - observedAtNanos > staleLimit.toNanos();
        lastReadSweeping = state.sweeping();
        boolean closing = state.sweeping() && !stale;
        boolean idChanged = !state.id().equals(epochId);
        if (closing || idChanged || (stale && !abandoned)) {
            // Before the cache closes or drops entries, so that a put landing after either fails its second check.
            fenceGeneration.incrementAndGet();
        }

        if (closing) {
            // Closed before the entries are dropped, so no lookup reads an entry being dropped.
            open = false;
            abandoned = false;
            reportUnrecognised(state);
        }
        if (idChanged) {
            delegate.invalidateLocalEntries();
            epochId = state.id();
            log.atDebug().addKeyValue("epoch", state.id()).addKeyValue("sweeping", state.sweeping())
                    .log("collection epoch changed, cache entries of this process dropped");
        }
        if (stale && !abandoned) {
            // The dead collector may have deleted blobs that entries cached before its fence still name.
            delegate.invalidateLocalEntries();
            abandoned = true;
            log.atWarn().addKeyValue("epoch", state.id()).addKeyValue("published_at", state.publishedAt())
                    .addKeyValue("stale_limit", staleLimit)
                    .log("garbage collection marker unchanged past the stale limit, so its collector is taken for dead;"
                            + " cache entries of this process dropped and the blob descriptor cache in use again");
        }
        if (!state.sweeping()) {
            abandoned = false;
        }
        if (!state.sweeping() || stale) {
            openUntilNanos = started + validity.toNanos();
            open = true;
        }
    }

    /** Logs once per content that the epoch file contains text that no collector writes, which keeps the cache bypassed. */
    private void reportUnrecognised(CollectionEpoch.State state) {
        if (!state.recognised() && !state.text().equals(unrecognisedReported)) {
            unrecognisedReported = state.text();
            log.atWarn().addKeyValue("path", CollectionEpoch.PATH).addKeyValue("content", state.text())
                    .log("collection epoch file not written by Entrepot, so the blob descriptor cache is bypassed"
                            + " until a garbage collection rewrites it");
        }
    }

    /** Returns whether lookups may be served from the cache at this instant. */
    boolean isOpen() {
        return open && nanoTime.getAsLong() - openUntilNanos < 0;
    }

    @Override
    public FenceState fenceState() {
        if (isOpen()) {
            return abandoned ? FenceState.ABANDONED : FenceState.OPEN;
        }
        return lastReadSweeping && !pollFailing.get() ? FenceState.SWEEPING : FenceState.LAPSED;
    }

    @Override
    public Generation generation() {
        return new Generation(fenceGeneration.get());
    }

    /** Returns whether a put carrying {@code generation} may be written, which needs an open cache and no fence raised since. */
    private boolean accepts(Generation generation) {
        return isOpen() && generation.value() == fenceGeneration.get();
    }

    @Override
    public Optional<Descriptor> descriptor(Digest digest) {
        if (!isOpen()) {
            delegate.statistics().record(false);
            return Optional.empty();
        }
        return delegate.descriptor(digest);
    }

    @Override
    public void putDescriptor(Descriptor descriptor, Generation generation) {
        if (!accepts(generation)) {
            return;
        }
        delegate.putDescriptor(descriptor, generation);
        if (!accepts(generation)) {
            delegate.removeDescriptor(descriptor.digest());
        }
    }

    @Override
    public void removeDescriptor(Digest digest) {
        delegate.removeDescriptor(digest);
    }

    @Override
    public boolean isLinked(LinkKind kind, RepositoryName repository, Digest digest) {
        if (!isOpen()) {
            delegate.statistics().record(false);
            return false;
        }
        return delegate.isLinked(kind, repository, digest);
    }

    @Override
    public void putLink(LinkKind kind, RepositoryName repository, Digest digest, Generation generation) {
        if (!accepts(generation)) {
            return;
        }
        delegate.putLink(kind, repository, digest, generation);
        if (!accepts(generation)) {
            delegate.removeLink(kind, repository, digest);
        }
    }

    @Override
    public void removeLink(LinkKind kind, RepositoryName repository, Digest digest) {
        delegate.removeLink(kind, repository, digest);
    }

    @Override
    public CacheStatistics statistics() {
        return delegate.statistics();
    }

    @Override
    public String type() {
        return delegate.type();
    }

    @Override
    public void invalidateLocalEntries() {
        delegate.invalidateLocalEntries();
    }

    @Override
    public void close() {
        closed = true;
        if (poller != null) {
            poller.interrupt();
        }
        delegate.close();
    }
}
