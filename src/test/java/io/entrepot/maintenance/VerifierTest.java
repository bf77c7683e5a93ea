package io.entrepot.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrepot.cache.BlobDescriptorCaches;
import io.entrepot.config.CacheConfig;
import io.entrepot.registry.CollectionEpoch;
import io.entrepot.registry.Digest;
import io.entrepot.registry.Reference;
import io.entrepot.registry.Registry;
import io.entrepot.registry.RepositoryName;
import io.entrepot.registry.StorageLayout;
import io.entrepot.storage.CheckedStorageDriver;
import io.entrepot.storage.StorageDriver;
import io.entrepot.storage.inmemory.InMemoryDriver;
import io.entrepot.testing.TestManifests;
import io.entrepot.testing.TestManifests.Blob;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class VerifierTest {

    private final StorageDriver driver = CheckedStorageDriver.wrap(new InMemoryDriver());
    private final Registry registry = new Registry(driver, Clock.systemUTC());
    // One process and no other cache here, so the fence need not wait for other instances.
    private final Verifier verifier = new Verifier(registry, zeroWaitFence());
    private final RepositoryName app = RepositoryName.parse("team/app");
    private Digest layer;
    private Digest config;
    private Digest manifest;

    @BeforeEach
    void pushImage() throws Exception {
        layer = push("layer bytes of a healthy image");
        config = push("{\"architecture\":\"amd64\"}");
        byte[] content = TestManifests.image(blob(config), List.of(blob(layer)), null);
        manifest = registry.manifests().put(app, Reference.parse("v1"), content, TestManifests.OCI_MANIFEST).stored().digest();
    }

    @Test
    void verify_healthyRegistry_findsNothing() throws Exception {
        Verifier.Result result = verifier.verify(2, false);

        assertThat(result.problems()).isEmpty();
        assertThat(result.blobsChecked()).isEqualTo(3);
        assertThat(result.damaged()).isFalse();
    }

    @Test
    void verify_corruptedAndTruncatedBlobs_reportedWithPaths() throws Exception {
        driver.putContent(StorageLayout.blobData(layer), "layer bytes of a HEALTHY image".getBytes(StandardCharsets.UTF_8));
        byte[] configBytes = driver.getContent(StorageLayout.blobData(config));
        driver.putContent(StorageLayout.blobData(config), Arrays.copyOf(configBytes, configBytes.length - 3));

        Verifier.Result result = verifier.verify(2, false);

        assertThat(result.damaged()).isTrue();
        assertThat(result.problems()).extracting(Verifier.Problem::kind, Verifier.Problem::path).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple(Verifier.Kind.CORRUPT, StorageLayout.blobData(layer)),
                org.assertj.core.groups.Tuple.tuple(Verifier.Kind.CORRUPT, StorageLayout.blobData(config)));
    }

    @Test
    void verify_quarantine_movesCorruptBlobAside() throws Exception {
        driver.putContent(StorageLayout.blobData(layer), "tampered".getBytes(StandardCharsets.UTF_8));

        Verifier.Result result = verifier.verify(1, true);

        assertThat(result.quarantined()).containsExactly(Verifier.QUARANTINE + "/sha256/" + layer.hex() + "/data");
        assertThat(registry.blobs().stat(layer)).isEmpty();
        assertThat(driver.getContent(result.quarantined().getFirst())).isEqualTo("tampered".getBytes(StandardCharsets.UTF_8));
        Verifier.Result again = verifier.verify(1, false);
        assertThat(again.problems()).extracting(Verifier.Problem::kind).containsOnly(Verifier.Kind.MISSING);
    }

    @Test
    void quarantine_cachedBlob_leavesCacheAndFences() throws Exception {
        Registry cached = new Registry(driver, Clock.systemUTC(),
                BlobDescriptorCaches.create(new CacheConfig(CacheConfig.BlobDescriptor.INMEMORY, 100), null));
        assertThat(cached.blobs().stat(layer)).isPresent();
        driver.putContent(StorageLayout.blobData(layer), "tampered".getBytes(StandardCharsets.UTF_8));
        String epochBefore = new CollectionEpoch(driver).read().id();

        new Verifier(cached, zeroWaitFence()).verify(1, true);

        assertThat(cached.blobs().stat(layer)).as("descriptor of the quarantined blob, through the cache").isEmpty();
        CollectionEpoch.State epoch = new CollectionEpoch(driver).read();
        assertThat(epoch.sweeping()).isFalse();
        assertThat(epoch.id()).as("epoch id after the fence").isNotEqualTo(epochBefore);
    }

    @Test
    void verify_noQuarantine_leavesEpochAlone() throws Exception {
        driver.putContent(StorageLayout.blobData(layer), "tampered".getBytes(StandardCharsets.UTF_8));

        verifier.verify(1, false);

        assertThat(new CollectionEpoch(driver).read()).isEqualTo(CollectionEpoch.State.NEVER_COLLECTED);
    }

    private SweepFence zeroWaitFence() {
        return new SweepFence(new CollectionEpoch(driver), Duration.ZERO, Clock.systemUTC());
    }

    @Test
    void verify_missingBlob_reportedAtLinkAndManifest() throws Exception {
        driver.delete(StorageLayout.blobData(layer));

        Verifier.Result result = verifier.verify(2, false);

        assertThat(result.problems()).extracting(Verifier.Problem::path).containsExactlyInAnyOrder(
                StorageLayout.layerLink(app, layer), StorageLayout.manifestRevisionLink(app, manifest));
        assertThat(result.problems()).allSatisfy(p -> assertThat(p.kind()).isEqualTo(Verifier.Kind.MISSING));
        assertThat(result.problems()).anySatisfy(p -> assertThat(p.detail()).contains(layer.toString()));
    }

    @Test
    void verify_orphanedBlob_isNotDamage() throws Exception {
        Digest orphan = Digest.sha256("orphan".getBytes(StandardCharsets.UTF_8));
        driver.putContent(StorageLayout.blobData(orphan), "orphan".getBytes(StandardCharsets.UTF_8));

        Verifier.Result result = verifier.verify(2, false);

        assertThat(result.problems()).singleElement().satisfies(p -> {
            assertThat(p.kind()).isEqualTo(Verifier.Kind.ORPHANED);
            assertThat(p.path()).isEqualTo(StorageLayout.blobData(orphan));
        });
        assertThat(result.damaged()).isFalse();
    }

    @Test
    void verify_tagPointingAtUnknownManifest_isMissing() throws Exception {
        registry.manifests().revisions().unlink(app, manifest);

        Verifier.Result result = verifier.verify(2, false);

        assertThat(result.problems()).anySatisfy(p -> {
            assertThat(p.kind()).isEqualTo(Verifier.Kind.MISSING);
            assertThat(p.path()).isEqualTo(StorageLayout.tagCurrentLink(app, new io.entrepot.registry.Tag("v1")));
        });
    }

    private Digest push(String text) throws Exception {
        byte[] content = text.getBytes(StandardCharsets.UTF_8);
        Digest digest = Digest.sha256(content);
        registry.uploads().uploadWhole(app, new ByteArrayInputStream(content), digest);
        return digest;
    }

    private Blob blob(Digest digest) throws Exception {
        return new Blob(digest.toString(), registry.blobs().stat(digest).orElseThrow().size());
    }
}
