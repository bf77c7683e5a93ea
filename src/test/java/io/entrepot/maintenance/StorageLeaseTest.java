package io.entrepot.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrepot.storage.CheckedStorageDriver;
import io.entrepot.storage.StorageDriver;
import io.entrepot.storage.inmemory.InMemoryDriver;
import io.entrepot.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class StorageLeaseTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final StorageDriver driver = CheckedStorageDriver.wrap(new InMemoryDriver(clock));
    private final StorageLease lease = new StorageLease(driver, clock);

    @Test
    void tryAcquire_heldByOther_fails() throws Exception {
        assertThat(lease.tryAcquire("a", Duration.ofMinutes(10))).isTrue();

        assertThat(lease.tryAcquire("b", Duration.ofMinutes(10))).isFalse();
        assertThat(lease.tryAcquire("a", Duration.ofMinutes(10))).isTrue();
    }

    @Test
    void tryAcquire_expired_succeeds() throws Exception {
        lease.tryAcquire("a", Duration.ofMinutes(10));
        clock.advance(Duration.ofMinutes(11));

        assertThat(lease.tryAcquire("b", Duration.ofMinutes(10))).isTrue();
    }

    @Test
    void release_byHolderOnly() throws Exception {
        lease.tryAcquire("a", Duration.ofMinutes(10));

        lease.release("b");
        assertThat(lease.tryAcquire("b", Duration.ofMinutes(10))).isFalse();
        lease.release("a");
        assertThat(lease.tryAcquire("b", Duration.ofMinutes(10))).isTrue();
    }

    @Test
    void tryAcquire_unreadableLease_isTaken() throws Exception {
        driver.putContent(StorageLease.PATH, "garbage".getBytes(StandardCharsets.UTF_8));

        assertThat(lease.tryAcquire("a", Duration.ofMinutes(10))).isTrue();
    }
}
