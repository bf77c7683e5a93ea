package io.entrepot.maintenance;

import io.entrepot.registry.BlobReferences;
import io.entrepot.registry.CollectionEpoch;
import io.entrepot.registry.Digest;
import io.entrepot.registry.Registry;
import io.entrepot.registry.RepositoryName;
import io.entrepot.registry.StorageLayout;
import io.entrepot.storage.FileInfo;
import io.entrepot.storage.PathNotFoundException;
import io.entrepot.storage.StorageDriver;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes blobs that no manifest references and, on request, manifests that no tag reaches,
 * while the registry keeps serving pushes and pulls.
 *
 * <p>The same code serves {@code entrepot garbage-collect} on a stopped registry and the
 * collection scheduled inside a running server.
 */
public final class GarbageCollector {

    /*
     * Why a push and a collection can overlap safely.
     *
     * distribution's collector marks the blobs referenced by manifests, then deletes every other
     * blob. A push that uploads a layer during the mark phase and links its manifest after the
     * sweep started loses the layer, so distribution must run on a stopped or read-only registry.
     * Entrepot closes that window with three rules, and a fourth keeps caches from hiding deletions.
     *
     * 1. Grace on age. The collection starts at time S and uses the cutoff C = S - grace. A blob
     *    whose data was written after C, or whose referencedat file (see BlobReferences) is after
     *    C, is kept. An untagged manifest whose revision link or referencedat is after C is kept.
     *
     * 2. A push claims what it names. ManifestStore.put checks its references, writes
     *    referencedat for the manifest itself and every blob and child manifest it names, waits
     *    while any of them carries a sweeping mark, checks again that they all exist, and then
     *    links the manifest. It undoes the link and fails when more than its reference window
     *    passed between the claim and the link. UploadSessions.complete claims the blob in the
     *    same way before it decides whether the stored copy replaces the upload.
     *
     * 3. The collector re-checks before each delete. It writes the sweeping mark, reads
     *    referencedat again, deletes only when that is still before C, and removes the mark
     *    last. A push writes its claim before it reads the mark, and the collector writes its
     *    mark before it reads the claim; storage reads see earlier writes, so one of the two
     *    sees the other. Either the push waits and then finds the blob gone (and fails with
     *    MANIFEST_BLOB_UNKNOWN, storing nothing), or the collector keeps the blob.
     *
     * Take a manifest M that references blob B and whose link was written at time L, and suppose
     * the collection deletes B. If L came before the mark phase read M's repository, M was
     * marked and so was B, unless M was itself removed as untagged, which is the operator's
     * request. Otherwise L > S. M's push claimed B at some P < L. If the collector read the claim
     * after P, it saw a time after C and kept B. If it read before P, its mark was written before
     * P too, the push saw the mark and waited, and then found B missing. The remaining case is a
     * claim at P before C that the collector saw: then L - P > S - C = grace, which the reference
     * window forbids as long as grace exceeds the window plus the clock difference between
     * instances. So every stored manifest keeps its blobs.
     *
     * 4. Every cache tier drops what is deleted. After the scan and before its first delete, the
     *    collector publishes "sweeping" in the CollectionEpoch file and waits FENCE_WAIT. Every
     *    serving instance polls that file and serves lookups from its blob descriptor cache only within
     *    CACHE_VALIDITY of a poll that read "idle", so after the wait no instance serves lookups from its
     *    cache or adds to it (SweepFencedCache). Each deletion also removes the blob and its links
     *    from the cache of the collecting process, which is the shared Redis when one is
     *    configured. After the last delete, the collector publishes "idle" with a new id, and each
     *    instance drops its in-process entries before it uses its cache again. A HEAD on any
     *    instance therefore reads storage for every blob this collection may delete, and a
     *    manifest PUT naming a deleted blob fails with MANIFEST_BLOB_UNKNOWN on every instance. The
     *    cost is FENCE_WAIT per collection, and storage reads in place of cache hits while it runs.
     *    A dry run deletes nothing and publishes nothing. While it deletes, the collector rewrites
     *    the marker as a heartbeat and checks before each delete that its last rewrite is recent
     *    (SweepFence), so that instances can tell a dead collector's marker from a live one.
     *
     * Limits: the marks are plain files, so this relies on read-after-write consistency of the
     * storage. A collector stopped between mark and decision leaves a sweeping mark that makes
     * pushes of that blob wait SWEEP_WAIT and fail with UNAVAILABLE until the next collection,
     * which keeps the blob (the failed pushes claimed it) and removes the mark. A collector stopped
     * between raising and lowering the fence leaves "sweeping" in the epoch file, so every instance
     * reads storage instead of its cache for STALE_LIMIT, after which each instance treats the marker
     * as abandoned. Like distribution, an empty blob directory left by a deletion on the filesystem stays.
     */

    private static final Logger log = LoggerFactory.getLogger(GarbageCollector.class);
    private static final Logger audit = LoggerFactory.getLogger("io.entrepot.audit");

    /**
     * Storage calls in flight at once while scanning and sweeping. Each call mostly waits on
     * storage, and the filesystem driver admits at least 25 at a time (its maxthreads minimum).
     */
    private static final int PARALLELISM = 16;

    private final Registry registry;
    private final StorageDriver driver;
    private final BlobReferences references;
    private final Clock clock;
    private final SweepFence fence;
    private final UntaggedManifests untagged;

    /** Creates a collector that fences every instance's cache as {@link CollectionEpoch} requires. */
    public GarbageCollector(Registry registry, Clock clock) {
        this(registry, clock, new SweepFence(registry.driver(), clock));
    }

    /** Creates a collector that raises {@code fence} before its first delete and lowers it after its last. */
    public GarbageCollector(Registry registry, Clock clock, SweepFence fence) {
        this.registry = registry;
        this.driver = registry.driver();
        this.references = registry.references();
        this.clock = clock;
        this.fence = fence;
        this.untagged = new UntaggedManifests(registry);
    }

    /**
     * Runs one collection.
     *
     * @throws IOException when storage fails or a manifest cannot be parsed; nothing further is
     *     removed after the failure
     */
    public GcReport collect(GcOptions options, GcProgress progress) throws IOException {
        Instant started = clock.instant();
        Instant cutoff = started.minus(options.grace());
        log.atInfo().addKeyValue("dry_run", options.dryRun()).addKeyValue("delete_untagged", options.deleteUntagged())
                .addKeyValue("grace", options.grace()).log("garbage collection started");

        List<RepositoryScan> scans = scanRepositories(progress);
        if (!options.dryRun()) {
            // A dry run deletes nothing, so it leaves every cache in use.
            progress.phase("fence", 1);
            fence.raise();
            progress.advance();
        }
        Untagged untaggedOutcome = Untagged.NONE;
        Sweep sweep;
        Set<Digest> markedByGraceOnly;
        try {
            if (options.deleteUntagged()) {
                untaggedOutcome = removeUntaggedManifests(scans, cutoff, options.dryRun(), progress);
            }
            Set<Digest> marked = markReferencedBlobs(scans, untaggedOutcome.removed, Map.of());
            markedByGraceOnly = new HashSet<>(marked);
            markedByGraceOnly.removeAll(markReferencedBlobs(scans, untaggedOutcome.removed, untaggedOutcome.keptByGrace));
            sweep = sweepUnreferencedBlobs(scans, marked, markedByGraceOnly, cutoff, options.dryRun(), progress);
        } finally {
            if (!options.dryRun()) {
                fence.lower();
            }
        }

        Map<RepositoryName, List<Digest>> removedManifests = untaggedOutcome.removed;
        int manifestsKeptByGrace = untaggedOutcome.keptByGrace.values().stream().mapToInt(Set::size).sum();
        GcReport report = new GcReport(options.dryRun(), repositoryReports(scans, removedManifests, sweep.removed),
                sweep.removed, scans.stream().mapToInt(s -> s.manifests.size()).sum(), sweep.scanned,
                manifestsKeptByGrace, sweep.keptByGrace, Duration.between(started, clock.instant()));
        log.atInfo().addKeyValue("dry_run", options.dryRun()).addKeyValue("manifests_removed", report.manifestsRemoved())
                .addKeyValue("blobs_removed", report.blobsRemoved().size()).addKeyValue("bytes_freed", report.bytesFreed())
                .addKeyValue("manifests_kept_by_grace", report.manifestsKeptByGrace())
                .addKeyValue("blobs_kept_by_grace", report.blobsKeptByGrace()).log("garbage collection finished");
        return report;
    }

    private List<RepositoryScan> scanRepositories(GcProgress progress) throws IOException {
        List<RepositoryName> names = RepositoryScan.repositories(driver);
        progress.phase("scan", names.size());
        return Parallel.map(names, PARALLELISM, name -> RepositoryScan.read(registry, name), progress::advance);
    }

    /** The untagged manifests removed, and those kept only by the grace period, by repository. */
    private record Untagged(Map<RepositoryName, List<Digest>> removed, Map<RepositoryName, Set<Digest>> keptByGrace) {
        static final Untagged NONE = new Untagged(Map.of(), Map.of());
    }

    /**
     * Removes, per repository, the manifests that no tag reaches. Returns them by repository; with
     * {@code dryRun} they are only listed.
     */
    private Untagged removeUntaggedManifests(List<RepositoryScan> scans, Instant cutoff,
            boolean dryRun, GcProgress progress) throws IOException {
        Map<RepositoryName, List<Digest>> removed = new LinkedHashMap<>();
        Map<RepositoryName, Set<Digest>> keptByGrace = new HashMap<>();
        progress.phase("untagged", scans.size());
        for (RepositoryScan scan : scans) {
            UntaggedManifests.Outcome outcome = untagged.removeReportingGrace(scan, cutoff, dryRun, fence::checkHeld);
            if (!outcome.removed().isEmpty()) {
                removed.put(scan.name, outcome.removed());
            }
            keptByGrace.put(scan.name, outcome.keptByGrace());
            progress.advance();
        }
        return new Untagged(removed, keptByGrace);
    }

    /**
     * Returns every digest that a manifest which stays references: the manifests themselves,
     * their config and layers, and the children of indexes. Manifests in {@code removed} or
     * {@code ignored} mark nothing.
     */
    private static Set<Digest> markReferencedBlobs(List<RepositoryScan> scans, Map<RepositoryName, List<Digest>> removed,
            Map<RepositoryName, Set<Digest>> ignored) {
        Set<Digest> marked = new HashSet<>();
        for (RepositoryScan scan : scans) {
            Set<Digest> gone = new HashSet<>(removed.getOrDefault(scan.name, List.of()));
            gone.addAll(ignored.getOrDefault(scan.name, Set.of()));
            scan.manifests.forEach((digest, refs) -> {
                if (!gone.contains(digest)) {
                    marked.add(digest);
                    marked.addAll(refs.blobs());
                    marked.addAll(refs.children());
                }
            });
        }
        return marked;
    }

    /** The outcome of the sweep: what was removed, how many blobs were looked at and kept by grace. */
    private record Sweep(List<GcReport.RemovedBlob> removed, int scanned, int keptByGrace) {}

    /**
     * Deletes every stored blob that is not marked and is older than the cutoff, under a sweep mark.
     * The blobs kept by grace are those within the grace period and the stored blobs of
     * {@code markedByGraceOnly}, which only manifests kept by the grace period reference.
     */
    private Sweep sweepUnreferencedBlobs(List<RepositoryScan> scans, Set<Digest> marked, Set<Digest> markedByGraceOnly,
            Instant cutoff, boolean dryRun, GcProgress progress) throws IOException {
        List<Digest> stored = storedBlobs();
        Map<Digest, List<RepositoryName>> linkedIn = linkingRepositories(scans);
        List<Digest> candidates = stored.stream().filter(digest -> !marked.contains(digest)).toList();
        progress.phase("sweep", candidates.size());
        List<SweepOutcome> outcomes = Parallel.map(candidates, PARALLELISM,
                digest -> sweepBlob(digest, linkedIn.getOrDefault(digest, List.of()), cutoff, dryRun), progress::advance);

        List<GcReport.RemovedBlob> removed = new ArrayList<>();
        int keptByGrace = (int) stored.stream().filter(markedByGraceOnly::contains).count();
        for (SweepOutcome outcome : outcomes) {
            if (outcome.removed() != null) {
                removed.add(outcome.removed());
            } else if (outcome.keptByGrace()) {
                keptByGrace++;
            }
        }
        return new Sweep(removed, stored.size(), keptByGrace);
    }

    /** The outcome for one unmarked blob: removed, kept by grace, or neither because it was already gone. */
    private record SweepOutcome(GcReport.RemovedBlob removed, boolean keptByGrace) {
        static final SweepOutcome GONE = new SweepOutcome(null, false);
        static final SweepOutcome KEPT = new SweepOutcome(null, true);
    }

    private SweepOutcome sweepBlob(Digest digest, List<RepositoryName> linkedIn, Instant cutoff, boolean dryRun) throws IOException {
        Optional<FileInfo> data = dataOf(digest);
        if (data.isEmpty()) {
            return SweepOutcome.GONE;
        }
        if (!data.get().modifiedAt().isBefore(cutoff) || UntaggedManifests.isRecentlyReferenced(references, digest, cutoff)) {
            decision(null, digest, "kept blob", "within grace period", dryRun);
            if (!dryRun && references.isSweeping(digest)) {
                // Left by a collector that stopped between its mark and its decision.
                references.clearSweeping(digest);
            }
            return SweepOutcome.KEPT;
        }
        if (deleteBlob(digest, linkedIn, cutoff, dryRun)) {
            return new SweepOutcome(new GcReport.RemovedBlob(digest, data.get().size()), false);
        }
        return SweepOutcome.KEPT;
    }

    /** Deletes the blob's data and its links; returns false when a push claimed it meanwhile. */
    private boolean deleteBlob(Digest digest, List<RepositoryName> linkedIn, Instant cutoff, boolean dryRun) throws IOException {
        if (dryRun) {
            // A dry run writes nothing, not even the sweep mark, so it cannot delay a push.
            decision(null, digest, "would remove blob", "unreferenced", true);
            return true;
        }
        references.markSweeping(digest);
        try {
            if (UntaggedManifests.isRecentlyReferenced(references, digest, cutoff)) {
                decision(null, digest, "kept blob", "named by a push during collection", false);
                return false;
            }
            fence.checkHeld();
            deleteIfPresent(driver, StorageLayout.blobData(digest));
            registry.blobs().forget(digest);
            deleteIfPresent(driver, StorageLayout.blobReferencedAt(digest));
            for (RepositoryName repository : linkedIn) {
                registry.layers().unlink(repository, digest);
            }
        } finally {
            // Removed last, so that a push waiting on the mark finds the blob and its links gone.
            references.clearSweeping(digest);
        }
        decision(null, digest, "removed blob", "unreferenced", false);
        return true;
    }

    /** Lists the digests of {@code blobs/<algorithm>/<xx>/<hex>} directories. */
    private List<Digest> storedBlobs() throws IOException {
        List<Digest> digests = new ArrayList<>();
        for (Digest.Algorithm algorithm : Digest.Algorithm.values()) {
            for (String prefix : listIfPresent(StorageLayout.BLOBS + "/" + algorithm.id())) {
                for (String directory : listIfPresent(prefix)) {
                    String hex = directory.substring(directory.lastIndexOf('/') + 1);
                    RepositoryScan.parseDigest(algorithm, hex).ifPresent(digests::add);
                }
            }
        }
        return digests;
    }

    private static Map<Digest, List<RepositoryName>> linkingRepositories(List<RepositoryScan> scans) {
        Map<Digest, List<RepositoryName>> linkedIn = new HashMap<>();
        for (RepositoryScan scan : scans) {
            for (Digest digest : scan.layers) {
                linkedIn.computeIfAbsent(digest, d -> new ArrayList<>()).add(scan.name);
            }
        }
        return linkedIn;
    }

    /**
     * Lists, per repository, the manifests removed and the removed blobs it linked as a layer, a
     * config or a manifest revision, marking those other repositories linked too.
     */
    private static List<GcReport.RepositoryReport> repositoryReports(List<RepositoryScan> scans,
            Map<RepositoryName, List<Digest>> removedManifests, List<GcReport.RemovedBlob> removedBlobs) {
        Map<Digest, Integer> linkCount = new HashMap<>();
        for (GcReport.RemovedBlob blob : removedBlobs) {
            int count = (int) scans.stream().filter(scan -> links(scan, blob.digest())).count();
            linkCount.put(blob.digest(), count);
        }
        List<GcReport.RepositoryReport> reports = new ArrayList<>();
        for (RepositoryScan scan : scans) {
            List<GcReport.RemovedBlob> blobs = removedBlobs.stream().filter(b -> links(scan, b.digest())).toList();
            Set<Digest> shared = new HashSet<>();
            Set<Digest> manifestBlobs = new HashSet<>();
            for (GcReport.RemovedBlob blob : blobs) {
                if (linkCount.get(blob.digest()) > 1) {
                    shared.add(blob.digest());
                }
                if (scan.manifests.containsKey(blob.digest())) {
                    manifestBlobs.add(blob.digest());
                }
            }
            List<Digest> manifests = removedManifests.getOrDefault(scan.name, List.of());
            if (!blobs.isEmpty() || !manifests.isEmpty()) {
                reports.add(new GcReport.RepositoryReport(scan.name, manifests, blobs, shared, manifestBlobs));
            }
        }
        return reports;
    }

    /** Returns whether the scan found {@code digest} linked as a layer, a config or a manifest revision. */
    private static boolean links(RepositoryScan scan, Digest digest) {
        return scan.layers.contains(digest) || scan.manifests.containsKey(digest);
    }

    private Optional<FileInfo> dataOf(Digest digest) throws IOException {
        try {
            FileInfo info = driver.stat(StorageLayout.blobData(digest));
            return info.directory() ? Optional.empty() : Optional.of(info);
        } catch (PathNotFoundException e) {
            return Optional.empty();
        }
    }

    private List<String> listIfPresent(String directory) throws IOException {
        try {
            return driver.list(directory);
        } catch (PathNotFoundException e) {
            return List.of();
        }
    }

    /** Deletes {@code path}, doing nothing when it is already gone. */
    static void deleteIfPresent(StorageDriver driver, String path) throws IOException {
        try {
            driver.delete(path);
        } catch (PathNotFoundException e) {
            // already gone
        }
    }

    /** Logs one keep or remove decision; removals also go to the audit logger. */
    static void decision(RepositoryName repository, Digest digest, String message, String reason, boolean dryRun) {
        var event = (message.startsWith("removed") ? audit.atInfo() : log.atDebug())
                .addKeyValue("digest", digest).addKeyValue("decision", message).addKeyValue("reason", reason)
                .addKeyValue("dry_run", dryRun);
        if (repository != null) {
            event = event.addKeyValue("repository", repository);
        }
        event.log(message);
    }
}
