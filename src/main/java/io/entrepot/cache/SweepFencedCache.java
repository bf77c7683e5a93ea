package io.entrepot.cache;

import io.entrepot.registry.CollectionEpoch;
import io.entrepot.registry.Descriptor;
import io.entrepot.registry.Digest;
import io.entrepot.registry.RepositoryName;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * relies on them to clear Redis.
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
     * NOTE: a lookup that read storage before the first delete and writes its entry after the
     * fence wait (more than FENCE_WAIT later, for instance after a long pause of this process) can
     * still add a stale entry to Redis, which stays until the key is removed.
     */

    private static final Logger log = LoggerFactory.getLogger(SweepFencedCache.class);

    private final MeasuredCache delegate;
    private final CollectionEpoch epoch;
    private final Duration pollInterval;
    private final Duration validity;
    private final AtomicBoolean pollFailing = new AtomicBoolean();
    private volatile long openUntilNanos = System.nanoTime();
    private volatile boolean open;
    private volatile String epochId;
    private volatile boolean closed;
    private Thread poller;

    /** Wraps {@code delegate}; {@link #start} begins polling, and the cache stays closed until the first poll. */
    public SweepFencedCache(MeasuredCache delegate, CollectionEpoch epoch) {
        this(delegate, epoch, CollectionEpoch.POLL_INTERVAL, CollectionEpoch.CACHE_VALIDITY);
    }

    /** For tests: a collector must then wait longer than {@code validity} after publishing. */
    SweepFencedCache(MeasuredCache delegate, CollectionEpoch epoch, Duration pollInterval, Duration validity) {
        this.delegate = delegate;
        this.epoch = epoch;
        this.pollInterval = pollInterval;
        this.validity = validity;
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
        long started = System.nanoTime();
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
        if (pollFailing.compareAndSet(true, false)) {
            log.atInfo().addKeyValue("path", CollectionEpoch.PATH).log("collection epoch readable again");
        }

        if (state.sweeping()) {
            // Closed before the entries are dropped, so no lookup reads an entry being dropped.
            open = false;
        }
        if (!state.id().equals(epochId)) {
            delegate.invalidateLocalEntries();
            epochId = state.id();
            log.atDebug().addKeyValue("epoch", state.id()).addKeyValue("sweeping", state.sweeping())
                    .log("collection epoch changed, cache entries of this process dropped");
        }
        if (!state.sweeping()) {
            openUntilNanos = started + validity.toNanos();
            open = true;
        }
    }

    /** Returns whether lookups may be answered from the cache at this instant. */
    boolean isOpen() {
        return open && System.nanoTime() - openUntilNanos < 0;
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
