package io.entrepot.maintenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.entrepot.registry.CollectionEpoch;
import io.entrepot.registry.Digest;
import io.entrepot.registry.Reference;
import io.entrepot.registry.Registry;
import io.entrepot.registry.RegistryException;
import io.entrepot.registry.RepositoryName;
import io.entrepot.registry.StorageLayout;
import io.entrepot.storage.CheckedStorageDriver;
import io.entrepot.storage.StorageDriver;
import io.entrepot.storage.inmemory.InMemoryDriver;
import io.entrepot.testing.MutableClock;
import io.entrepot.testing.TestManifests;
import io.entrepot.testing.TestManifests.Blob;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GarbageCollectorTest {

    private static final Duration GRACE = Duration.ofHours(1);

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final StorageDriver driver = CheckedStorageDriver.wrap(new InMemoryDriver(clock));
    private final Registry registry = new Registry(driver, clock);
    // No other process caches this storage, so the collector need not wait after publishing the epoch.
    private final GarbageCollector collector = new GarbageCollector(registry, clock,
            new SweepFence(new CollectionEpoch(driver), Duration.ZERO, clock));
    private final RepositoryName app = RepositoryName.parse("team/app");
    private final RepositoryName other = RepositoryName.parse("team/other");
    private int blobCounter;

    @Test
    void deletedManifest_keepsSharedLayer() throws Exception {
        Blob shared = pushBlob(app, "shared layer");
        Blob kept = pushImage(app, "v1", shared, pushBlob(app, "v1 layer"));
        Blob ownLayer = pushBlob(app, "v2 layer");
        Blob deleted = pushImage(app, "v2", shared, ownLayer);
        registry.manifests().delete(app, Reference.parse(deleted.digest()));
        clock.advance(GRACE.plusMinutes(1));

        GcReport report = collector.collect(new GcOptions(false, false, GRACE), GcProgress.NONE);

        assertThat(digests(report.blobsRemoved())).contains(ownLayer.digest(), deleted.digest()).doesNotContain(shared.digest());
        assertThat(exists(shared)).isTrue();
        assertThat(exists(ownLayer)).isFalse();
        assertThat(exists(deleted)).isFalse();
        assertThat(registry.manifests().get(app, Reference.parse("v1")).digest().toString()).isEqualTo(kept.digest());
        assertThat(registry.layers().contains(app, Digest.parse(ownLayer.digest()))).isFalse();
        assertThat(report.repositories()).singleElement().satisfies(r -> assertThat(r.name()).isEqualTo(app));
    }

    @Test
    void dryRun_reportsSameAndChangesNothing() throws Exception {
        Blob orphan = pushBlob(app, "orphan");
        Blob untagged = pushImage(app, null, pushBlob(app, "untagged layer"));
        clock.advance(GRACE.plusMinutes(1));
        List<String> before = allFiles();

        GcReport dry = collector.collect(new GcOptions(true, true, GRACE), GcProgress.NONE);

        assertThat(allFiles()).isEqualTo(before);
        assertThat(dry.dryRun()).isTrue();
        assertThat(digests(dry.blobsRemoved())).contains(orphan.digest(), untagged.digest());
        GcReport real = collector.collect(new GcOptions(false, true, GRACE), GcProgress.NONE);
        assertThat(real.blobsRemoved()).containsExactlyInAnyOrderElementsOf(dry.blobsRemoved());
        assertThat(real.bytesFreed()).isEqualTo(dry.bytesFreed()).isPositive();
    }

    @Test
    void grace_keepsYoungBlobsAndRecentlyNamedOnes() throws Exception {
        Blob old = pushBlob(app, "old orphan");
        clock.advance(GRACE.plusMinutes(1));
        Blob young = pushBlob(app, "young orphan");
        clock.advance(Duration.ofMinutes(30));

        GcReport report = collector.collect(new GcOptions(false, false, GRACE), GcProgress.NONE);

        assertThat(digests(report.blobsRemoved())).containsExactly(old.digest());
        assertThat(report.blobsKeptByGrace()).isEqualTo(1);
        assertThat(exists(young)).isTrue();
    }

    @Test
    void reuploadOfOldBlob_refreshesItsGrace() throws Exception {
        Blob layer = pushBlob(app, "layer pushed twice");
        clock.advance(GRACE.plusMinutes(1));
        pushBlob(other, "layer pushed twice");

        GcReport report = collector.collect(new GcOptions(false, false, GRACE), GcProgress.NONE);

        assertThat(report.blobsRemoved()).isEmpty();
        assertThat(exists(layer)).isTrue();
    }

    @Test
    void deleteUntagged_keepsChildrenAndReferrers() throws Exception {
        Blob amd64 = pushImage(app, null, pushBlob(app, "amd64 layer"));
        Blob arm64 = pushImage(app, null, pushBlob(app, "arm64 layer"));
        Blob index = pushIndex(app, "multi", amd64, arm64);
        Blob signature = pushReferrer(app, index, "signature");
        Blob signatureOfSignature = pushReferrer(app, signature, "countersignature");
        Blob orphanReferrer = pushReferrer(app, pushImage(app, null, pushBlob(app, "gone subject layer")), "orphan sig");
        Blob untaggedLayer = pushBlob(app, "untagged layer");
        Blob untagged = pushImage(app, "moving", untaggedLayer);
        Blob current = pushImage(app, "moving", pushBlob(app, "current layer"));
        clock.advance(GRACE.plusMinutes(1));

        GcReport report = collector.collect(new GcOptions(false, true, GRACE), GcProgress.NONE);

        for (Blob kept : List.of(amd64, arm64, index, signature, signatureOfSignature, current)) {
            assertThat(registry.manifests().contains(app, Digest.parse(kept.digest()))).as(kept.digest()).isTrue();
            assertThat(exists(kept)).isTrue();
        }
        assertThat(registry.manifests().contains(app, Digest.parse(untagged.digest()))).isFalse();
        assertThat(registry.manifests().contains(app, Digest.parse(orphanReferrer.digest()))).isFalse();
        assertThat(exists(untaggedLayer)).isFalse();
        assertThat(driver.list(StorageLayout.tag(app, new io.entrepot.registry.Tag("moving")) + "/index/sha256")).hasSize(1);
        assertThat(report.repositories().getFirst().manifestsRemoved()).hasSize(3);
        assertThat(registry.manifests().referrers().list(app, Digest.parse(index.digest()), null)).hasSize(1);
    }

    @Test
    void deleteUntagged_keepsUntaggedManifestWithinGrace() throws Exception {
        Blob untagged = pushImage(app, null, pushBlob(app, "recent untagged layer"));
        clock.advance(Duration.ofMinutes(10));

        GcReport report = collector.collect(new GcOptions(false, true, GRACE), GcProgress.NONE);

        assertThat(report.manifestsRemoved()).isZero();
        assertThat(registry.manifests().contains(app, Digest.parse(untagged.digest()))).isTrue();
    }

    @Test
    void deleteUntaggedDryRun_reportsWhatGraceKept() throws Exception {
        Blob oldOrphan = pushBlob(app, "old orphan");
        Blob sharedLayer = pushBlob(app, "layer also in a tagged image");
        pushImage(app, "v1", sharedLayer);
        clock.advance(GRACE.plusMinutes(1));
        Blob untagged = pushImage(app, null, sharedLayer, pushBlob(app, "recent untagged layer"));
        clock.advance(Duration.ofMinutes(10));

        GcReport report = collector.collect(new GcOptions(true, true, GRACE), GcProgress.NONE);

        assertThat(report.manifestsRemoved()).isZero();
        assertThat(digests(report.blobsRemoved())).containsExactly(oldOrphan.digest());
        assertThat(report.manifestsKeptByGrace()).isEqualTo(1);
        // The manifest, its config and its own layer. The tag keeps the layer of the tagged image.
        assertThat(report.blobsKeptByGrace()).isEqualTo(3);
        assertThat(registry.manifests().contains(app, Digest.parse(untagged.digest()))).isTrue();
    }

    @Test
    void sharedBlob_markedInEachRepository() throws Exception {
        Blob shared = pushBlob(app, "layer in both repositories");
        pushBlob(other, "layer in both repositories");
        Blob own = pushBlob(app, "layer in app only");
        clock.advance(GRACE.plusMinutes(1));

        GcReport report = collector.collect(new GcOptions(false, false, GRACE), GcProgress.NONE);

        assertThat(digests(report.blobsRemoved())).containsExactlyInAnyOrder(shared.digest(), own.digest());
        assertThat(report.repositories()).hasSize(2);
        GcReport.RepositoryReport appReport = report.repositories().stream().filter(r -> r.name().equals(app)).findFirst().orElseThrow();
        GcReport.RepositoryReport otherReport = report.repositories().stream().filter(r -> r.name().equals(other)).findFirst().orElseThrow();
        assertThat(appReport.sharedBlobs()).containsExactly(Digest.parse(shared.digest()));
        assertThat(appReport.blobsOnlyHere()).isEqualTo(1);
        assertThat(otherReport.sharedBlobs()).containsExactly(Digest.parse(shared.digest()));
        assertThat(otherReport.blobsOnlyHere()).isZero();
    }

    @Test
    void deleteUntagged_listsManifestBlobUnderRepository() throws Exception {
        pushImage(app, "v1", pushBlob(app, "v1 layer"));
        Blob untagged = pushImage(app, null, pushBlob(app, "untagged layer"));
        clock.advance(GRACE.plusMinutes(1));

        GcReport report = collector.collect(new GcOptions(false, true, GRACE), GcProgress.NONE);

        Digest manifest = Digest.parse(untagged.digest());
        assertThat(report.repositories()).singleElement().satisfies(repository -> {
            assertThat(repository.manifestsRemoved()).containsExactly(manifest);
            assertThat(repository.manifestBlobs()).containsExactly(manifest);
            assertThat(digests(repository.blobsRemoved())).contains(untagged.digest());
            assertThat(repository.blobsRemoved()).containsExactlyInAnyOrderElementsOf(report.blobsRemoved());
            assertThat(repository.bytesFreed()).isEqualTo(report.bytesFreed());
        });
        assertThat(report.unlinkedBlobs()).isEmpty();
    }

    @Test
    void deletedManifestBlob_listedAsUnlinked() throws Exception {
        Blob deleted = pushImage(app, "v1", pushBlob(app, "layer"));
        registry.manifests().delete(app, Reference.parse(deleted.digest()));
        clock.advance(GRACE.plusMinutes(1));

        GcReport report = collector.collect(new GcOptions(false, false, GRACE), GcProgress.NONE);

        assertThat(digests(report.unlinkedBlobs())).containsExactly(deleted.digest());
        assertThat(report.repositories()).singleElement().satisfies(repository -> {
            assertThat(repository.manifestBlobs()).isEmpty();
            assertThat(repository.blobsRemoved()).hasSize(2);
        });
        assertThat(report.blobsRemoved()).hasSize(3);
    }

    @Test
    void unreadableManifest_stopsCollectionBeforeDeleting() throws Exception {
        Blob orphan = pushBlob(app, "orphan");
        Digest broken = Digest.sha256("not json".getBytes(StandardCharsets.UTF_8));
        driver.putContent(StorageLayout.blobData(broken), "not json".getBytes(StandardCharsets.UTF_8));
        registry.manifests().revisions().link(app, broken);
        clock.advance(GRACE.plusMinutes(1));

        assertThatThrownBy(() -> collector.collect(new GcOptions(false, false, GRACE), GcProgress.NONE))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(broken.toString())
                .hasMessageContaining("team/app");
        assertThat(exists(orphan)).isTrue();
    }

    @Test
    void staleSweepMark_isCleared() throws Exception {
        Blob layer = pushBlob(app, "layer");
        registry.references().markSweeping(Digest.parse(layer.digest()));
        clock.advance(Duration.ofMinutes(1));

        collector.collect(new GcOptions(false, false, GRACE), GcProgress.NONE);

        assertThat(exists(layer)).isTrue();
        assertThat(registry.references().isSweeping(Digest.parse(layer.digest()))).isFalse();
        pushImage(app, "v1", layer);
    }

    @Test
    void manifestPush_afterBlobCollected_isRejected() throws Exception {
        Blob layer = pushBlob(app, "collected layer");
        clock.advance(GRACE.plusMinutes(1));
        collector.collect(new GcOptions(false, false, GRACE), GcProgress.NONE);
        Blob config = pushBlob(app, "config " + layer.digest());

        byte[] manifest = TestManifests.image(config, List.of(layer), null);

        assertThatThrownBy(() -> registry.manifests().put(app, Reference.parse("v1"), manifest, TestManifests.OCI_MANIFEST))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining(layer.digest());
    }

    @Test
    void emptyStorage_removesNothing() throws Exception {
        GcReport report = collector.collect(new GcOptions(false, true, GRACE), GcProgress.NONE);

        assertThat(report.blobsRemoved()).isEmpty();
        assertThat(report.repositories()).isEmpty();
    }

    @Test
    void fenceLapsed_stopsBeforeAnyDelete() throws Exception {
        Blob orphan = pushBlob(app, "orphan of a stopped collection");
        Blob untagged = pushImage(app, null, pushBlob(app, "untagged layer of a stopped collection"));
        clock.advance(GRACE.plusMinutes(1));
        // A zero deadline has passed by the first delete, as when the marker could not be rewritten in time.
        SweepFence lapsing = new SweepFence(new CollectionEpoch(driver), Duration.ZERO, Duration.ZERO, Duration.ZERO, clock,
                System::nanoTime);
        GarbageCollector stopped = new GarbageCollector(registry, clock, lapsing);

        assertThatThrownBy(() -> stopped.collect(new GcOptions(false, false, GRACE), GcProgress.NONE))
                .as("collection without --delete-untagged").isInstanceOf(FenceLapsedException.class);
        assertThatThrownBy(() -> stopped.collect(new GcOptions(false, true, GRACE), GcProgress.NONE))
                .as("collection with --delete-untagged").isInstanceOf(FenceLapsedException.class);

        assertThat(registry.manifests().contains(app, Digest.parse(untagged.digest()))).as("untagged manifest").isTrue();
        assertThat(exists(orphan)).as("unreferenced blob").isTrue();
        assertThat(new CollectionEpoch(driver).read().sweeping()).as("epoch after the stopped collection").isFalse();
        assertThat(registry.references().isSweeping(Digest.parse(orphan.digest()))).as("sweep mark left on the blob").isFalse();
    }

    private Blob pushBlob(RepositoryName repository, String text) throws IOException {
        byte[] content = text.getBytes(StandardCharsets.UTF_8);
        Digest digest = Digest.sha256(content);
        registry.uploads().uploadWhole(repository, new ByteArrayInputStream(content), digest);
        return Blob.of(content);
    }

    /** Pushes an image of the given layers with its own config, tagged unless {@code tag} is null. */
    private Blob pushImage(RepositoryName repository, String tag, Blob... layers) throws IOException {
        Blob config = pushBlob(repository, "config " + (blobCounter++));
        return putManifest(repository, tag, TestManifests.image(config, List.of(layers), null), TestManifests.OCI_MANIFEST);
    }

    private Blob pushIndex(RepositoryName repository, String tag, Blob... children) throws IOException {
        return putManifest(repository, tag, TestManifests.index(List.of(children)), TestManifests.OCI_INDEX);
    }

    private Blob pushReferrer(RepositoryName repository, Blob subject, String text) throws IOException {
        Blob config = pushBlob(repository, "config " + (blobCounter++));
        byte[] manifest = TestManifests.image(config, List.of(pushBlob(repository, text)), subject);
        return putManifest(repository, null, manifest, TestManifests.OCI_MANIFEST);
    }

    private Blob putManifest(RepositoryName repository, String tag, byte[] manifest, String mediaType) throws IOException {
        Blob blob = Blob.of(manifest);
        registry.manifests().put(repository, Reference.parse(tag == null ? blob.digest() : tag), manifest, mediaType);
        return blob;
    }

    private boolean exists(Blob blob) throws IOException {
        return registry.blobs().stat(Digest.parse(blob.digest())).isPresent();
    }

    private List<String> allFiles() throws IOException {
        List<String> files = new ArrayList<>();
        driver.walk("/", info -> {
            files.add(info.path() + " " + info.size() + " " + info.modifiedAt());
            return io.entrepot.storage.WalkVisitor.Decision.CONTINUE;
        });
        return files;
    }

    private static List<String> digests(List<GcReport.RemovedBlob> blobs) {
        return blobs.stream().map(b -> b.digest().toString()).toList();
    }
}
