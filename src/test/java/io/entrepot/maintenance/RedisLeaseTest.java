package io.entrepot.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrepot.config.RedisConfig;
import io.entrepot.testing.RedisServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lease in a real redis-server: exclusive between contenders, extended by its holder, expiring. */
class RedisLeaseTest {

    @TempDir
    Path directory;

    private RedisServer redis;
    private final List<RedisLease> leases = new ArrayList<>();

    @BeforeEach
    void startRedis() throws Exception {
        redis = RedisServer.start(directory);
    }

    @AfterEach
    void stopRedis() throws Exception {
        leases.forEach(RedisLease::close);
        redis.close();
    }

    private RedisLease newLease() {
        RedisConfig config = new RedisConfig(List.of(redis.addr()), null, null, null, 0,
                Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(2), new RedisConfig.Pool(0, 0, Duration.ZERO), false);
        RedisLease lease = new RedisLease(config, "gc");
        leases.add(lease);
        return lease;
    }

    @Test
    void tryAcquire_heldByOther_failsUntilReleased() throws Exception {
        assertExclusiveUntilReleased(newLease(), newLease());
    }

    /** Checks that {@code second} cannot take the lease that {@code first} holds, until {@code first} releases it. */
    static void assertExclusiveUntilReleased(RedisLease first, RedisLease second) throws Exception {
        assertThat(first.tryAcquire("a", Duration.ofMinutes(1))).isTrue();
        assertThat(second.tryAcquire("b", Duration.ofMinutes(1))).isFalse();
        assertThat(first.tryAcquire("a", Duration.ofMinutes(1))).as("the holder extends its lease").isTrue();

        second.release("b");
        assertThat(second.tryAcquire("b", Duration.ofMinutes(1))).as("a release by a non-holder does nothing").isFalse();

        first.release("a");
        assertThat(second.tryAcquire("b", Duration.ofMinutes(1))).isTrue();
    }

    @Test
    void tryAcquire_expired_succeeds() throws Exception {
        RedisLease first = newLease();
        RedisLease second = newLease();
        assertThat(first.tryAcquire("a", Duration.ofMillis(200))).isTrue();

        boolean acquired = false;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!acquired && System.nanoTime() < deadline) {
            Thread.sleep(50);
            acquired = second.tryAcquire("b", Duration.ofMinutes(1));
        }

        assertThat(acquired).isTrue();
        assertThat(first.tryAcquire("a", Duration.ofMinutes(1))).as("the expired holder lost it").isFalse();
    }

    @Test
    void contenders_neverHoldTogether() throws Exception {
        int contenders = 4;
        AtomicInteger holding = new AtomicInteger();
        AtomicInteger maxHolding = new AtomicInteger();
        AtomicInteger acquisitions = new AtomicInteger();

        ExecutorService pool = Executors.newFixedThreadPool(contenders);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < contenders; i++) {
                RedisLease lease = newLease();
                String holder = "instance-" + i;
                futures.add(pool.submit(() -> {
                    for (int attempt = 0; attempt < 300; attempt++) {
                        if (lease.tryAcquire(holder, Duration.ofMinutes(1))) {
                            acquisitions.incrementAndGet();
                            maxHolding.accumulateAndGet(holding.incrementAndGet(), Math::max);
                            Thread.sleep(1);
                            holding.decrementAndGet();
                            lease.release(holder);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                future.get();
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(maxHolding.get()).as("holders at the same time").isEqualTo(1);
        assertThat(acquisitions.get()).as("acquisitions of %d attempts", contenders * 300).isGreaterThan(contenders);
    }

    @Test
    void leasedJob_renewsWhileRunning() throws Exception {
        RedisLease lease = newLease();
        RedisLease other = newLease();
        Duration timeToLive = Duration.ofSeconds(3);
        LeasedJob job = new LeasedJob(lease, "gc", timeToLive);
        List<Boolean> otherAcquired = new ArrayList<>();

        var result = job.runIfLeaseHolder(() -> {
            // Runs past two lifetimes of the lease, which only renewal keeps.
            long end = System.nanoTime() + timeToLive.multipliedBy(2).plusSeconds(1).toNanos();
            while (System.nanoTime() < end) {
                otherAcquired.add(other.tryAcquire("other", Duration.ofMinutes(1)));
                sleep(200);
            }
            return "done";
        });

        assertThat(result).contains("done");
        assertThat(otherAcquired).isNotEmpty().doesNotContain(true);
        assertThat(other.tryAcquire("other", Duration.ofMinutes(1))).as("released after the job").isTrue();
        assertThat(new LeasedJob(newLease(), "gc").runIfLeaseHolder(() -> "ran")).as("skipped while another holds it").isEmpty();
    }

    private static void sleep(long millis) throws java.io.IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException();
        }
    }
}
