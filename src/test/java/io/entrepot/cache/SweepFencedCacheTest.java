package io.entrepot.cache;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.entrepot.config.CacheConfig;
import io.entrepot.config.RedisConfig;
import io.entrepot.registry.BlobDescriptorCache.Generation;
import io.entrepot.registry.BlobDescriptorCache.LinkKind;
import io.entrepot.registry.CollectionEpoch;
import io.entrepot.registry.Descriptor;
import io.entrepot.registry.Digest;
import io.entrepot.registry.RepositoryName;
import io.entrepot.storage.StorageDriver;
import io.entrepot.storage.inmemory.InMemoryDriver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class SweepFencedCacheTest {

    private static final RepositoryName REPOSITORY = RepositoryName.parse("team/app");
    private static final Digest BLOB = Digest.parse("sha256:" + "ab".repeat(32));
    private static final Descriptor DESCRIPTOR = new Descriptor(Descriptor.OCTET_STREAM, BLOB, 5);

    private final StorageDriver driver = new InMemoryDriver();
    private final CollectionEpoch epoch = new CollectionEpoch(driver);
    private final MeasuredCache inMemory = BlobDescriptorCaches.create(new CacheConfig(CacheConfig.BlobDescriptor.INMEMORY, 100), RedisConfig.NONE);
    private final SweepFencedCache cache = fenced(Duration.ofHours(1), Duration.ofHours(1));
    /** The monotonic clock of the stale-marker tests, in nanoseconds, moved by hand. */
    private final AtomicLong ticker = new AtomicLong(5_000_000_000L);
    private final SweepFencedCache ticking = new SweepFencedCache(inMemory, epoch, Duration.ofHours(1),
            CollectionEpoch.CACHE_VALIDITY, CollectionEpoch.STALE_LIMIT, ticker::get);

    @Test
    void neverCollected_cacheServesAfterFirstPoll() {
        cache.putDescriptor(DESCRIPTOR, cache.generation());
        assertThat(cache.descriptor(BLOB)).as("before the first poll").isEmpty();

        cache.poll();
        cache.putDescriptor(DESCRIPTOR, cache.generation());

        assertThat(cache.descriptor(BLOB)).contains(DESCRIPTOR);
    }

    @Test
    void sweeping_lookupsMissAndPutsDropped() throws Exception {
        cache.poll();
        cache.putDescriptor(DESCRIPTOR, cache.generation());
        cache.putLink(LinkKind.LAYER, REPOSITORY, BLOB, cache.generation());

        epoch.publish(true, Instant.now());
        cache.poll();
        cache.putDescriptor(new Descriptor(Descriptor.OCTET_STREAM, Digest.parse("sha256:" + "cd".repeat(32)), 1), cache.generation());

        assertThat(cache.descriptor(BLOB)).isEmpty();
        assertThat(cache.isLinked(LinkKind.LAYER, REPOSITORY, BLOB)).isFalse();
        assertThat(inMemory.descriptor(Digest.parse("sha256:" + "cd".repeat(32)))).as("put while sweeping").isEmpty();
        assertThat(cache.statistics().misses()).as("bypassed lookups count as misses").isGreaterThanOrEqualTo(2);
    }

    @Test
    void idleAfterSweep_dropsEntriesCachedBefore() throws Exception {
        cache.poll();
        cache.putDescriptor(DESCRIPTOR, cache.generation());
        cache.putLink(LinkKind.LAYER, REPOSITORY, BLOB, cache.generation());

        epoch.publish(true, Instant.now());
        epoch.publish(false, Instant.now());
        cache.poll();

        assertThat(cache.descriptor(BLOB)).isEmpty();
        assertThat(cache.isLinked(LinkKind.LAYER, REPOSITORY, BLOB)).isFalse();
        cache.putDescriptor(DESCRIPTOR, cache.generation());
        assertThat(cache.descriptor(BLOB)).as("open again after the sweep").contains(DESCRIPTOR);
    }

    @Test
    void unchangedEpoch_keepsEntries() {
        cache.poll();
        cache.putDescriptor(DESCRIPTOR, cache.generation());

        cache.poll();

        assertThat(cache.descriptor(BLOB)).contains(DESCRIPTOR);
    }

    @Test
    void validityLapsed_lookupsMiss() throws Exception {
        SweepFencedCache shortLived = fenced(Duration.ofHours(1), Duration.ofMillis(50));
        shortLived.poll();
        shortLived.putDescriptor(DESCRIPTOR, shortLived.generation());

        Thread.sleep(100);

        assertThat(shortLived.descriptor(BLOB)).isEmpty();
        assertThat(inMemory.descriptor(BLOB)).as("the entry itself stays").contains(DESCRIPTOR);
    }

    @Test
    void unreadableEpoch_keepsCacheClosed() throws Exception {
        driver.putContent(CollectionEpoch.PATH, "garbage".getBytes(StandardCharsets.UTF_8));

        cache.poll();
        cache.putDescriptor(DESCRIPTOR, cache.generation());

        assertThat(cache.descriptor(BLOB)).isEmpty();
    }

    @Test
    void removals_passWhileSweeping() throws Exception {
        cache.poll();
        cache.putDescriptor(DESCRIPTOR, cache.generation());
        epoch.publish(true, Instant.now());
        cache.poll();

        cache.removeDescriptor(BLOB);

        assertThat(inMemory.descriptor(BLOB)).isEmpty();
    }

    @Test
    void started_pollsInBackground() throws Exception {
        SweepFencedCache polling = fenced(Duration.ofMillis(20), Duration.ofHours(1)).start();
        try {
            polling.putDescriptor(DESCRIPTOR, polling.generation());
            assertThat(polling.descriptor(BLOB)).contains(DESCRIPTOR);

            epoch.publish(true, Instant.now());
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (polling.isOpen() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }

            assertThat(polling.descriptor(BLOB)).as("closed by the background poll").isEmpty();
        } finally {
            polling.close();
        }
    }

    @Test
    void staleMarker_reopensAndDropsEntries() throws Exception {
        ticking.poll();
        ticking.putDescriptor(DESCRIPTOR, ticking.generation());
        epoch.publish(true, Instant.now());
        ticking.poll();
        assertThat(ticking.fenceState()).isEqualTo(FenceState.SWEEPING);

        pollEvery(CollectionEpoch.POLL_INTERVAL, CollectionEpoch.STALE_LIMIT.minusSeconds(1));
        assertThat(ticking.descriptor(BLOB)).as("just before the stale limit").isEmpty();
        assertThat(ticking.fenceState()).isEqualTo(FenceState.SWEEPING);
        pollEvery(CollectionEpoch.POLL_INTERVAL, Duration.ofSeconds(4));

        assertThat(ticking.fenceState()).isEqualTo(FenceState.ABANDONED);
        assertThat(inMemory.descriptor(BLOB)).as("entry cached before the abandoned fence").isEmpty();
        ticking.putDescriptor(DESCRIPTOR, ticking.generation());
        assertThat(ticking.descriptor(BLOB)).as("cache in use again").contains(DESCRIPTOR);
    }

    @Test
    void sweepingMarkerRefreshed_staysClosedPastStaleLimit() throws Exception {
        ticking.poll();
        CollectionEpoch.State marker = epoch.publish(true, Instant.now());
        ticking.poll();

        for (int beat = 0; beat < 30; beat++) {
            ticker.addAndGet(CollectionEpoch.HEARTBEAT_INTERVAL.toNanos());
            marker = epoch.refresh(marker, marker.publishedAt().plus(CollectionEpoch.HEARTBEAT_INTERVAL));
            ticking.poll();
            assertThat(ticking.fenceState()).as("after heartbeat %d", beat).isEqualTo(FenceState.SWEEPING);
        }
        ticking.putDescriptor(DESCRIPTOR, ticking.generation());
        assertThat(inMemory.descriptor(BLOB)).as("put while a live collector sweeps").isEmpty();
    }

    @Test
    void staleness_measuredFromObservationNotMarkerTime() throws Exception {
        // Written by a collector whose clock is a day behind, or long ago: only this instance's observation counts.
        epoch.publish(true, Instant.now().minus(Duration.ofDays(1)));
        ticking.poll();
        ticker.addAndGet(CollectionEpoch.STALE_LIMIT.minusSeconds(1).toNanos());
        ticking.poll();
        assertThat(ticking.fenceState()).as("first seen one stale limit minus 1 s ago").isEqualTo(FenceState.SWEEPING);

        ticker.addAndGet(Duration.ofSeconds(2).toNanos());
        ticking.poll();

        assertThat(ticking.fenceState()).isEqualTo(FenceState.ABANDONED);
    }

    @Test
    void futureMarkerTime_stillAbandoned() throws Exception {
        epoch.publish(true, Instant.now().plus(Duration.ofDays(1)));
        ticking.poll();

        ticker.addAndGet(CollectionEpoch.STALE_LIMIT.plusSeconds(1).toNanos());
        ticking.poll();

        assertThat(ticking.fenceState()).isEqualTo(FenceState.ABANDONED);
    }

    @Test
    void abandonedFence_newCollection_closesAgain() throws Exception {
        abandonMarker();
        assertThat(ticking.fenceState()).isEqualTo(FenceState.ABANDONED);

        epoch.publish(true, Instant.now());
        ticking.poll();

        assertThat(ticking.fenceState()).isEqualTo(FenceState.SWEEPING);
        ticking.putDescriptor(DESCRIPTOR, ticking.generation());
        assertThat(ticking.descriptor(BLOB)).isEmpty();
    }

    @Test
    void abandonedFence_thenIdle_open() throws Exception {
        abandonMarker();

        epoch.publish(false, Instant.now());
        ticking.poll();

        assertThat(ticking.fenceState()).isEqualTo(FenceState.OPEN);
    }

    @Test
    void abandonedFence_loggedOnceWithCollectorId() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(SweepFencedCache.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            CollectionEpoch.State marker = epoch.publish(true, Instant.now());
            ticking.poll();
            ticker.addAndGet(CollectionEpoch.STALE_LIMIT.plusSeconds(1).toNanos());

            pollEvery(CollectionEpoch.POLL_INTERVAL, Duration.ofSeconds(20));

            List<ILoggingEvent> warnings = appender.list.stream().filter(e -> e.getLevel() == Level.WARN).toList();
            assertThat(warnings).hasSize(1);
            assertThat(warnings.get(0).getKeyValuePairs()).anySatisfy(pair -> {
                assertThat(pair.key).isEqualTo("epoch");
                assertThat(pair.value).isEqualTo(marker.id());
            });
        } finally {
            logger.detachAppender(appender);
        }
    }

    @Test
    void unrecognisedEpoch_neverTakenForAbandoned() throws Exception {
        driver.putContent(CollectionEpoch.PATH, "written by something else".getBytes(StandardCharsets.UTF_8));
        ticking.poll();

        ticker.addAndGet(CollectionEpoch.STALE_LIMIT.multipliedBy(10).toNanos());
        ticking.poll();

        assertThat(ticking.fenceState()).isEqualTo(FenceState.SWEEPING);
    }

    @Test
    void fenceState_withoutRecentPoll_lapsed() {
        assertThat(ticking.fenceState()).as("before the first poll").isEqualTo(FenceState.LAPSED);
        ticking.poll();
        assertThat(ticking.fenceState()).isEqualTo(FenceState.OPEN);

        ticker.addAndGet(CollectionEpoch.CACHE_VALIDITY.toNanos());

        assertThat(ticking.fenceState()).as("no poll for the cache validity").isEqualTo(FenceState.LAPSED);
        assertThat(ticking.fenceState().bypassesCache()).isTrue();
    }

    /** Publishes a sweeping marker and polls it once, then again after the stale limit, as after a collector died. */
    @Test
    void putAfterFenceRaisedAndLowered_dropped() throws Exception {
        ticking.poll();
        Generation beforeRead = ticking.generation();
        assertThat(ticking.descriptor(BLOB)).as("lookup with the cache open").isEmpty();

        epoch.publish(true, Instant.now());
        pollEvery(CollectionEpoch.POLL_INTERVAL, Duration.ofSeconds(10));
        epoch.publish(false, Instant.now());
        pollEvery(CollectionEpoch.POLL_INTERVAL, CollectionEpoch.POLL_INTERVAL);
        assertThat(ticking.fenceState()).as("reopened when the stalled put arrives").isEqualTo(FenceState.OPEN);
        ticking.putDescriptor(DESCRIPTOR, beforeRead);
        ticking.putLink(LinkKind.LAYER, REPOSITORY, BLOB, beforeRead);

        assertThat(inMemory.descriptor(BLOB)).as("descriptor read before the fence").isEmpty();
        assertThat(inMemory.isLinked(LinkKind.LAYER, REPOSITORY, BLOB)).as("link read before the fence").isFalse();
    }

    @Test
    void putWithoutFenceSinceRead_stored() {
        ticking.poll();
        Generation beforeRead = ticking.generation();
        assertThat(ticking.descriptor(BLOB)).as("lookup with the cache open").isEmpty();

        pollEvery(CollectionEpoch.POLL_INTERVAL, Duration.ofSeconds(10));
        ticking.putDescriptor(DESCRIPTOR, beforeRead);
        ticking.putLink(LinkKind.LAYER, REPOSITORY, BLOB, beforeRead);

        assertThat(ticking.descriptor(BLOB)).contains(DESCRIPTOR);
        assertThat(ticking.isLinked(LinkKind.LAYER, REPOSITORY, BLOB)).isTrue();
    }

    @Test
    void collectionUnseenByPoller_putDropped() throws Exception {
        ticking.poll();
        Generation beforeRead = ticking.generation();

        // The poller stalled through the whole collection, so it never read the sweeping marker.
        epoch.publish(true, Instant.now());
        epoch.publish(false, Instant.now());
        ticking.poll();
        ticking.putDescriptor(DESCRIPTOR, beforeRead);

        assertThat(inMemory.descriptor(BLOB)).isEmpty();
    }

    @Test
    void putTakenBeforeAbandonedMarker_dropped() throws Exception {
        epoch.publish(true, Instant.now());
        ticking.poll();
        Generation whileSweeping = ticking.generation();

        ticker.addAndGet(CollectionEpoch.STALE_LIMIT.plusSeconds(1).toNanos());
        ticking.poll();
        assertThat(ticking.fenceState()).isEqualTo(FenceState.ABANDONED);
        ticking.putDescriptor(DESCRIPTOR, whileSweeping);
        assertThat(inMemory.descriptor(BLOB)).as("read while the dead collector may still delete").isEmpty();

        ticking.putDescriptor(DESCRIPTOR, ticking.generation());
        assertThat(ticking.descriptor(BLOB)).as("read after the marker was taken for abandoned").contains(DESCRIPTOR);
    }

    @Test
    void fenceDuringDelegateWrite_entryRemoved() {
        AtomicReference<SweepFencedCache> wrapper = new AtomicReference<>();
        FenceDuringPut delegate = new FenceDuringPut(inMemory, () -> {
            try {
                epoch.publish(true, Instant.now());
                epoch.publish(false, Instant.now());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            wrapper.get().poll();
        });
        wrapper.set(new SweepFencedCache(delegate, epoch, Duration.ofHours(1), CollectionEpoch.CACHE_VALIDITY,
                CollectionEpoch.STALE_LIMIT, ticker::get));
        SweepFencedCache cache = wrapper.get();
        cache.poll();

        cache.putDescriptor(DESCRIPTOR, cache.generation());
        assertThat(delegate.writes).as("descriptor put passed the first check").isEqualTo(1);
        assertThat(inMemory.descriptor(BLOB)).as("descriptor written after the fence dropped entries").isEmpty();

        cache.putLink(LinkKind.LAYER, REPOSITORY, BLOB, cache.generation());
        assertThat(delegate.writes).as("link put passed the first check").isEqualTo(2);
        assertThat(inMemory.isLinked(LinkKind.LAYER, REPOSITORY, BLOB)).as("link written after the fence dropped entries").isFalse();
    }

    private void abandonMarker() throws Exception {
        epoch.publish(true, Instant.now());
        ticking.poll();
        ticker.addAndGet(CollectionEpoch.STALE_LIMIT.plusSeconds(1).toNanos());
        ticking.poll();
    }

    /** Advances the ticker by {@code step} and polls, until {@code total} has passed. */
    private void pollEvery(Duration step, Duration total) {
        for (Duration passed = Duration.ZERO; passed.compareTo(total) < 0; passed = passed.plus(step)) {
            ticker.addAndGet(step.toNanos());
            ticking.poll();
        }
    }

    private SweepFencedCache fenced(Duration pollInterval, Duration validity) {
        return new SweepFencedCache(inMemory, epoch, pollInterval, validity, CollectionEpoch.STALE_LIMIT, System::nanoTime);
    }

    /** A cache whose writes land only after {@code fence} ran, as the write of a thread that stalled through a collection. */
    private static final class FenceDuringPut implements MeasuredCache {

        private final MeasuredCache delegate;
        private final Runnable fence;
        int writes;

        FenceDuringPut(MeasuredCache delegate, Runnable fence) {
            this.delegate = delegate;
            this.fence = fence;
        }

        @Override
        public Optional<Descriptor> descriptor(Digest digest) {
            return delegate.descriptor(digest);
        }

        @Override
        public void putDescriptor(Descriptor descriptor, Generation generation) {
            writes++;
            fence.run();
            delegate.putDescriptor(descriptor, generation);
        }

        @Override
        public void removeDescriptor(Digest digest) {
            delegate.removeDescriptor(digest);
        }

        @Override
        public boolean isLinked(LinkKind kind, RepositoryName repository, Digest digest) {
            return delegate.isLinked(kind, repository, digest);
        }

        @Override
        public void putLink(LinkKind kind, RepositoryName repository, Digest digest, Generation generation) {
            writes++;
            fence.run();
            delegate.putLink(kind, repository, digest, generation);
        }

        @Override
        public void removeLink(LinkKind kind, RepositoryName repository, Digest digest) {
            delegate.removeLink(kind, repository, digest);
        }

        @Override
        public void invalidateLocalEntries() {
            delegate.invalidateLocalEntries();
        }

        @Override
        public CacheStatistics statistics() {
            return delegate.statistics();
        }

        @Override
        public String type() {
            return delegate.type();
        }
    }
}
