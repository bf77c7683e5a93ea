package io.entrepot.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrepot.registry.CollectionEpoch;
import io.entrepot.registry.Digest;
import io.entrepot.registry.ErrorCode;
import io.entrepot.registry.Reference;
import io.entrepot.registry.Registry;
import io.entrepot.registry.RegistryException;
import io.entrepot.registry.RepositoryName;
import io.entrepot.registry.StorageLayout;
import io.entrepot.storage.CheckedStorageDriver;
import io.entrepot.storage.PathNotFoundException;
import io.entrepot.storage.inmemory.InMemoryDriver;
import io.entrepot.testing.TestManifests;
import io.entrepot.testing.TestManifests.Blob;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Pushes 1,000 small images while a collector runs again and again, with clients deleting and
 * untagging earlier images whose layers the new pushes share. Every image whose push succeeded
 * and that was not deleted must pull intact afterwards. The same workload against a collector
 * that sweeps as distribution does (mark, then delete every unmarked blob, with no grace and no
 * re-check) must break some images, which shows what the protocol prevents.
 */
class ConcurrentPushRaceTest {

    private static final int PUSHERS = 8;
    private static final int PUSHES_PER_PUSHER = 125;
    private static final int SHARED_LAYERS = 24;
    private static final int MAX_ATTEMPTS = 5;
    /** Collections that must finish while pushes still start, whatever the machine's speed. */
    private static final int MIN_COLLECTIONS = 4;
    // Short enough that shared layers become candidates during the test, long enough to exceed
    // the reference window below on a loaded machine.
    private static final Duration REFERENCE_WINDOW = Duration.ofMillis(200);
    private static final Duration GRACE = Duration.ofMillis(600);

    private record Image(RepositoryName repository, String tag, Digest manifest, List<byte[]> blobs) {}

    private final Registry registry = new Registry(CheckedStorageDriver.wrap(new InMemoryDriver()), Clock.systemUTC(), REFERENCE_WINDOW);
    private final List<byte[]> sharedLayers = new ArrayList<>();
    private final AtomicInteger rejectedPushes = new AtomicInteger();
    private final AtomicInteger pushesStarted = new AtomicInteger();
    private final AtomicInteger collections = new AtomicInteger();
    private volatile Future<?> collectorRun;

    @Test
    void onlineCollector_keepsEveryPushedImageIntact() throws Exception {
        // One process and no cache, so the collector need not wait for other instances.
        GarbageCollector collector = new GarbageCollector(registry, Clock.systemUTC(),
                new SweepFence(new CollectionEpoch(registry.driver()), Duration.ZERO, Clock.systemUTC()));
        prepareUnreferencedSharedLayers();

        Outcome outcome = pushWhileCollecting(() -> collector.collect(new GcOptions(false, true, GRACE), GcProgress.NONE));

        assertThat(outcome.collections).as("collections during the pushes").isGreaterThanOrEqualTo(MIN_COLLECTIONS);
        assertThat(outcome.succeeded).as("pushes that succeeded, of %d", PUSHERS * PUSHES_PER_PUSHER)
                .isGreaterThan(PUSHERS * PUSHES_PER_PUSHER * 9 / 10);
        assertThat(brokenImages(outcome.pushed)).isEmpty();
        assertThat(outcome.removedBlobs).as("blobs removed while pushing").isPositive();
    }

    @Test
    void sweepWithoutGrace_breaksPushedImages() throws Exception {
        prepareUnreferencedSharedLayers();

        Outcome outcome = pushWhileCollecting(this::sweepWithoutGrace);

        List<String> broken = brokenImages(outcome.pushed);
        org.slf4j.LoggerFactory.getLogger(ConcurrentPushRaceTest.class).atInfo()
                .addKeyValue("broken", broken.size()).addKeyValue("kept", outcome.pushed.size()).log("images broken without grace");
        assertThat(broken).as("images broken by a sweep without grace").isNotEmpty();
    }

    /** Uploads the shared layers with images that are then deleted, so the layers are unreferenced and old. */
    private void prepareUnreferencedSharedLayers() throws Exception {
        RepositoryName repository = RepositoryName.parse("race/base");
        for (int i = 0; i < SHARED_LAYERS; i++) {
            byte[] layer = ("shared layer " + i).getBytes(StandardCharsets.UTF_8);
            sharedLayers.add(layer);
            Image base = push(repository, "base" + i, List.of(layer, ("base config " + i).getBytes(StandardCharsets.UTF_8)));
            registry.manifests().delete(repository, Reference.parse(base.manifest().toString()));
        }
        Thread.sleep(GRACE.toMillis() + 100);
    }

    private record Outcome(List<Image> pushed, int succeeded, int collections, long removedBlobs) {}

    @FunctionalInterface
    private interface Collection {
        GcReport run() throws IOException;
    }

    private Outcome pushWhileCollecting(Collection collection) throws Exception {
        AtomicBoolean pushing = new AtomicBoolean(true);
        AtomicInteger removed = new AtomicInteger();
        ConcurrentLinkedQueue<Image> kept = new ConcurrentLinkedQueue<>();
        AtomicInteger succeeded = new AtomicInteger();
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<?> collector = executor.submit(() -> {
                while (pushing.get()) {
                    removed.addAndGet(collection.run().blobsRemoved().size());
                    collections.incrementAndGet();
                }
                return null;
            });
            collectorRun = collector;
            List<Future<?>> pushers = new ArrayList<>();
            for (int p = 0; p < PUSHERS; p++) {
                int pusher = p;
                pushers.add(executor.submit(() -> {
                    runPusher(pusher, kept, succeeded);
                    return null;
                }));
            }
            for (Future<?> pusher : pushers) {
                pusher.get();
            }
            pushing.set(false);
            collector.get();
        }
        org.slf4j.LoggerFactory.getLogger(ConcurrentPushRaceTest.class).atInfo()
                .addKeyValue("pushes_succeeded", succeeded.get()).addKeyValue("pushes_rejected", rejectedPushes.get())
                .addKeyValue("collections", collections.get()).addKeyValue("blobs_removed", removed.get())
                .log("race finished");
        return new Outcome(List.copyOf(kept), succeeded.get(), collections.get(), removed.get());
    }

    /** Pushes images that share layers, deleting or untagging one earlier image in three. */
    private void runPusher(int pusher, ConcurrentLinkedQueue<Image> kept, AtomicInteger succeeded) throws IOException {
        Random random = new Random(pusher);
        List<Image> mine = new ArrayList<>();
        for (int i = 0; i < PUSHES_PER_PUSHER; i++) {
            awaitCollectorPace(pushesStarted.getAndIncrement());
            RepositoryName repository = RepositoryName.parse("race/app" + (i % 4));
            List<byte[]> blobs = new ArrayList<>();
            blobs.add(sharedLayers.get(random.nextInt(SHARED_LAYERS)));
            blobs.add(sharedLayers.get(random.nextInt(SHARED_LAYERS)));
            blobs.add(("layer " + pusher + "-" + i).getBytes(StandardCharsets.UTF_8));
            blobs.add(("config " + pusher + "-" + i).getBytes(StandardCharsets.UTF_8));
            Image image = pushWithRetries(repository, "p" + pusher + "-" + i, blobs);
            if (image != null) {
                mine.add(image);
                succeeded.incrementAndGet();
            }
            if (i % 3 == 2 && !mine.isEmpty()) {
                Image victim = mine.remove(random.nextInt(mine.size()));
                Reference reference = Reference.parse(i % 2 == 0 ? victim.tag() : victim.manifest().toString());
                registry.manifests().delete(victim.repository(), reference);
            }
        }
        kept.addAll(mine);
    }

    /**
     * Holds push number {@code started} back until the collector has kept pace, so that at least
     * {@link #MIN_COLLECTIONS} collections finish while pushes still start: on a fast machine the
     * pushes would otherwise all finish during one or two collections, and the race would not be
     * tested. Gives up waiting when the collector has stopped, whose failure the test then reports.
     */
    private void awaitCollectorPace(int started) {
        int total = PUSHERS * PUSHES_PER_PUSHER;
        int needed = (int) ((long) started * MIN_COLLECTIONS / (total - 1));
        while (collections.get() < needed && !collectorRun.isDone()) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Pushes as a client does: uploads what the repository lacks, then the manifest, and starts over when rejected. */
    private Image pushWithRetries(RepositoryName repository, String tag, List<byte[]> blobs) throws IOException {
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            try {
                return push(repository, tag, blobs);
            } catch (RegistryException e) {
                if (e.code() != ErrorCode.MANIFEST_BLOB_UNKNOWN && e.code() != ErrorCode.UNAVAILABLE) {
                    throw e;
                }
                rejectedPushes.incrementAndGet();
            }
        }
        return null;
    }

    /** Pushes one image whose last blob is its config; a blob the repository already has is not uploaded again. */
    private Image push(RepositoryName repository, String tag, List<byte[]> blobs) throws IOException {
        List<Blob> layers = new ArrayList<>();
        for (byte[] content : blobs) {
            Digest digest = Digest.sha256(content);
            boolean present = registry.layers().contains(repository, digest) && registry.blobs().stat(digest).isPresent();
            if (!present) {
                registry.uploads().uploadWhole(repository, new ByteArrayInputStream(content), digest);
            }
            layers.add(Blob.of(content));
        }
        Blob config = layers.removeLast();
        byte[] manifest = TestManifests.image(config, layers, null);
        Digest digest = registry.manifests().put(repository, Reference.parse(tag), manifest, TestManifests.OCI_MANIFEST)
                .stored().digest();
        return new Image(repository, tag, digest, blobs);
    }

    /** Returns the images that do not pull intact: manifest gone, or a blob missing or altered. */
    private List<String> brokenImages(List<Image> images) throws IOException {
        List<String> broken = new ArrayList<>();
        for (Image image : images) {
            try {
                Digest manifest = registry.manifests().get(image.repository(), Reference.parse(image.tag())).digest();
                if (!manifest.equals(image.manifest())) {
                    broken.add(image.repository() + ":" + image.tag() + " points at " + manifest);
                }
                for (byte[] blob : image.blobs()) {
                    Digest digest = Digest.sha256(blob);
                    if (!Digest.sha256(registry.blobs().read(digest)).equals(digest)) {
                        broken.add(image.repository() + ":" + image.tag() + " blob " + digest + " altered");
                    }
                }
            } catch (RegistryException e) {
                broken.add(image.repository() + ":" + image.tag() + ": " + e.getMessage());
            }
        }
        return broken;
    }

    /**
     * Collects as distribution does on a live registry: marks what the manifests reference, then
     * deletes every other blob at once.
     */
    private GcReport sweepWithoutGrace() throws IOException {
        Set<Digest> marked = Collections.synchronizedSet(new HashSet<>());
        for (RepositoryName repository : registry.catalog().list(null, Integer.MAX_VALUE)) {
            for (Digest manifest : RepositoryScan.linkedDigests(registry.driver(), StorageLayout.manifestRevisions(repository))) {
                marked.add(manifest);
                try {
                    var parsed = io.entrepot.registry.ManifestParser.parse(registry.blobs().read(manifest), null);
                    parsed.blobs().forEach(blob -> marked.add(blob.digest()));
                } catch (RegistryException e) {
                    // removed since it was listed
                }
            }
        }
        List<GcReport.RemovedBlob> removed = new ArrayList<>();
        for (String prefix : listIfPresent(StorageLayout.BLOBS + "/sha256")) {
            for (String directory : listIfPresent(prefix)) {
                Digest digest = new Digest(Digest.Algorithm.SHA256, directory.substring(directory.lastIndexOf('/') + 1));
                if (!marked.contains(digest)) {
                    try {
                        registry.driver().delete(directory);
                        removed.add(new GcReport.RemovedBlob(digest, 0));
                    } catch (PathNotFoundException e) {
                        // deleted already
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
        }
        return new GcReport(false, List.of(), removed, 0, 0, 0, 0, Duration.ZERO);
    }

    private List<String> listIfPresent(String directory) throws IOException {
        try {
            return registry.driver().list(directory);
        } catch (PathNotFoundException e) {
            return List.of();
        }
    }
}
