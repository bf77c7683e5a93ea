package io.entrepot.cache;

import io.entrepot.registry.CollectionEpoch;
import io.entrepot.registry.Descriptor;
import io.entrepot.registry.Digest;
import io.entrepot.registry.RepositoryName;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wraps the blob descriptor cache of a serving instance so that it never answers for a blob that
 * a garbage collection, run by any instance or by {@code entrepot garbage-collect}, may delete.
 *
 * <p>A background thread reads the {@link CollectionEpoch} every
 * {@link CollectionEpoch#POLL_INTERVAL}. The cache answers lookups and accepts new entries only
 * while the last poll read {@code idle} and started less than {@link CollectionEpoch#CACHE_VALIDITY}
 * ago. Otherwise every lookup misses and reads storage. Each time the epoch id changes, the
 * entries held in this process are dropped. Removals always go through, because the collector
 * relies on them to clear Redis. A {@code sweeping} marker that stays unchanged for
 * {@link CollectionEpoch#STALE_LIMIT} was left by a collector that stopped: the cache then drops
 * its entries and answers again, as after {@code idle}.
 */
public final class SweepFencedCache implements MeasuredCache {

    /*
     * Why no entry survives a collection. The collector publishes "sweeping", waits
     * CollectionEpoch.FENCE_WAIT, deletes, then publishes "idle" with a new id.
     *
     * - A poll that started before the "sweeping" write read "idle", so it keeps the cache open
     *   until at most CACHE_VALIDITY after that write, which is before the first delete. A poll
     *   that started after the write reads "sweeping" (storage reads see earlier writes) and closes
     *   the cache at once. So while blobs are deleted, no instance answers from its cache, and no
     *   instance adds an entry.
     * - The first poll that reads the new "idle" id drops every entry held in this process, so
     *   entries cached before the collection, which may name deleted blobs, are gone before the
     *   cache opens again. Entries in Redis were removed by the collector itself.
     *
     * Staleness costs storage reads, never wrong answers: an instance whose polls fail (storage
     * unreachable, a stalled thread) lets the validity lapse and reads storage until a poll succeeds.
     *
     * Why an abandoned marker may be ignored. A collector killed while it sweeps never publishes
     * "idle". A live collector rewrites its marker every HEARTBEAT_INTERVAL with a new time, and
     * SweepFence rejects every delete that starts HEARTBEAT_DEADLINE or later after the start b of
     * its last successful write; a write that returns after that deadline extends nothing. This
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
     * NOTE: the fence checks when an entry is written, not when storage was read for it. A lookup
     * that read storage while the cache was open and whose write lands after the cache reopens
     * (its thread stalled for longer than FENCE_WAIT plus the whole sweep) adds an entry for a
     * blob the sweep may have deleted, to this process and to Redis. Closing it needs the fence
     * generation seen at the read to travel with the write.
     */

    private static final Logger log = LoggerFactory.getLogger(SweepFencedCache.class);

    private final MeasuredCache delegate;
    private final CollectionEpoch epoch;
    private final Duration pollInterval;
    private final Duration validity;
    private final Duration staleLimit;
    private final LongSupplier nanoTime;
    private final AtomicBoolean pollFailing = new AtomicBoolean();
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

        if (state.sweeping() && !stale) {
            // Closed before the entries are dropped, so no lookup reads an entry being dropped.
            open = false;
            abandoned = false;
            reportUnrecognised(state);
        }
        if (!state.id().equals(epochId)) {
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

    /** Logs once per content that the epoch file holds text no collector writes, which keeps the cache bypassed. */
    private void reportUnrecognised(CollectionEpoch.State state) {
        if (!state.recognised() && !state.text().equals(unrecognisedReported)) {
            unrecognisedReported = state.text();
            log.atWarn().addKeyValue("path", CollectionEpoch.PATH).addKeyValue("content", state.text())
                    .log("collection epoch file not written by Entrepot, so the blob descriptor cache is bypassed"
                            + " until a garbage collection rewrites it");
        }
    }

    /** Returns whether lookups may be answered from the cache at this instant. */
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
    public Optional<Descriptor> descriptor(Digest digest) {
        if (!isOpen()) {
            delegate.statistics().record(false);
            return Optional.empty();
        }
        return delegate.descriptor(digest);
    }

    @Override
    public void putDescriptor(Descriptor descriptor) {
        if (isOpen()) {
            delegate.putDescriptor(descriptor);
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
    public void putLink(LinkKind kind, RepositoryName repository, Digest digest) {
        if (isOpen()) {
            delegate.putLink(kind, repository, digest);
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
