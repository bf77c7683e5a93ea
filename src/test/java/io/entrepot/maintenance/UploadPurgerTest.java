package io.entrepot.maintenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.entrepot.registry.Registry;
import io.entrepot.registry.RegistryException;
import io.entrepot.registry.RepositoryName;
import io.entrepot.registry.StorageLayout;
import io.entrepot.registry.UploadSessions.Status;
import io.entrepot.storage.CheckedStorageDriver;
import io.entrepot.storage.StorageDriver;
import io.entrepot.storage.inmemory.InMemoryDriver;
import io.entrepot.testing.MutableClock;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class UploadPurgerTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final StorageDriver driver = CheckedStorageDriver.wrap(new InMemoryDriver(clock));
    private final Registry registry = new Registry(driver, clock);
    private final UploadPurger purger = new UploadPurger(driver, clock);
    private final RepositoryName repository = RepositoryName.parse("team/app");

    @Test
    void purge_removesOnlyUploadsOlderThanAge() throws Exception {
        Status old = registry.uploads().start(repository);
        registry.uploads().append(repository, old.id(), new ByteArrayInputStream(new byte[100]), null);
        clock.advance(Duration.ofHours(100));
        Status young = registry.uploads().start(repository);
        clock.advance(Duration.ofHours(100));

        UploadPurger.Result result = purger.purge(Duration.ofHours(168), false);

        assertThat(result.examined()).isEqualTo(2);
        assertThat(result.removed()).containsExactly(StorageLayout.upload(repository, old.id()));
        assertThatThrownBy(() -> registry.uploads().status(repository, old.id()))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining(old.id().toString());
        assertThat(registry.uploads().status(repository, young.id()).size()).isZero();
    }

    @Test
    void purge_dryRun_removesNothing() throws Exception {
        Status old = registry.uploads().start(repository);
        clock.advance(Duration.ofDays(30));

        UploadPurger.Result result = purger.purge(Duration.ofHours(168), true);

        assertThat(result.dryRun()).isTrue();
        assertThat(result.removed()).containsExactly(StorageLayout.upload(repository, old.id()));
        assertThat(registry.uploads().status(repository, old.id()).size()).isZero();
    }

    @Test
    void purge_unreadableStartedAt_usesModificationTime() throws Exception {
        Status upload = registry.uploads().start(repository);
        driver.putContent(StorageLayout.uploadStartedAt(repository, upload.id()), "yesterday".getBytes(StandardCharsets.UTF_8));
        clock.advance(Duration.ofDays(8));

        UploadPurger.Result result = purger.purge(Duration.ofHours(168), false);

        assertThat(result.removed()).hasSize(1);
    }

    @Test
    void purge_emptyStorage_findsNothing() throws Exception {
        UploadPurger.Result result = purger.purge(Duration.ofHours(1), false);

        assertThat(result.examined()).isZero();
        assertThat(result.removed()).isEmpty();
    }

    @Test
    void purge_keepsCompletedBlobs() throws Exception {
        byte[] content = "layer".getBytes(StandardCharsets.UTF_8);
        var digest = io.entrepot.registry.Digest.sha256(content);
        registry.uploads().uploadWhole(repository, new ByteArrayInputStream(content), digest);
        clock.advance(Duration.ofDays(30));

        purger.purge(Duration.ofHours(1), false);

        assertThat(registry.blobs().stat(digest)).isPresent();
        assertThat(registry.layers().contains(repository, digest)).isTrue();
    }
}
