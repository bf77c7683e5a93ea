package io.entrepot.maintenance;

import io.entrepot.registry.BlobReferences;
import io.entrepot.registry.Digest;
import io.entrepot.registry.Registry;
import io.entrepot.registry.RepositoryName;
import io.entrepot.registry.StorageLayout;
import io.entrepot.registry.Tag;
import io.entrepot.storage.FileInfo;
import io.entrepot.storage.PathNotFoundException;
import io.entrepot.storage.StorageDriver;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Removal of the manifests that no tag reaches, for {@code --delete-untagged} and the
 * {@code removeuntaggedolderthan} retention rule. A manifest is kept when a tag points at it, when
 * it was linked or named by a push after the cutoff, and, repeatedly, when it is a child of a kept
 * index or a referrer of a kept subject. Each removal runs under a sweep mark, as blob deletions
 * do (see {@link GarbageCollector}).
 */
final class UntaggedManifests {

    private final Registry registry;
    private final StorageDriver driver;
    private final BlobReferences references;

    UntaggedManifests(Registry registry) {
        this.registry = registry;
        this.driver = registry.driver();
        this.references = registry.references();
    }

    /** A check that runs before each removal and throws to stop it, such as {@link SweepFence#checkHeld}. */
    @FunctionalInterface
    interface RemovalGuard {
        void check() throws IOException;
    }

    /**
     * Removes the manifests of one repository that no tag reaches and that are older than
     * {@code cutoff}, under the same protocol as a collection; returns them.
     */
    List<Digest> remove(RepositoryScan scan, Instant cutoff, boolean dryRun) throws IOException {
        return remove(scan, cutoff, dryRun, () -> {});
    }

    /**
     * The outcome in one repository.
     *
     * @param removed the manifests removed, or with a dry run those that would be
     * @param keptByGrace untagged manifests kept only because they, or a manifest that keeps them,
     *     were linked or named by a push after the cutoff
     */
    record Outcome(List<Digest> removed, Set<Digest> keptByGrace) {}

    /** Like {@link #remove(RepositoryScan, Instant, boolean)}, running {@code guard} before each removal. */
    List<Digest> remove(RepositoryScan scan, Instant cutoff, boolean dryRun, RemovalGuard guard) throws IOException {
        return removeReportingGrace(scan, cutoff, dryRun, guard).removed();
    }

    /** Like {@link #remove(RepositoryScan, Instant, boolean, RemovalGuard)}, also returning the manifests kept by the grace period. */
    Outcome removeReportingGrace(RepositoryScan scan, Instant cutoff, boolean dryRun, RemovalGuard guard) throws IOException {
        Set<Digest> tagged = new HashSet<>();
        Set<Digest> recent = new HashSet<>();
        for (Digest digest : scan.manifests.keySet()) {
            if (scan.tagged.contains(digest)) {
                tagged.add(digest);
            } else if (isRecentManifest(scan.name, digest, cutoff)) {
                recent.add(digest);
            }
        }
        Set<Digest> keptByTags = keptFrom(scan, tagged);
        Set<Digest> roots = new HashSet<>(tagged);
        roots.addAll(recent);
        Set<Digest> kept = keptFrom(scan, roots);
        Set<Digest> keptByGrace = new HashSet<>(kept);
        keptByGrace.removeAll(keptByTags);

        List<Digest> removed = new ArrayList<>();
        for (Digest manifest : scan.manifests.keySet()) {
            if (!kept.contains(manifest) && removeManifest(scan, manifest, cutoff, dryRun, guard)) {
                removed.add(manifest);
            }
        }
        return new Outcome(removed, keptByGrace);
    }

    /**
     * Returns {@code roots} with, repeatedly, the children of a kept index and the referrers of a
     * kept subject: the manifests that survive untagged removal when {@code roots} are the tagged
     * manifests and those within the grace period.
     */
    private static Set<Digest> keptFrom(RepositoryScan scan, Set<Digest> roots) {
        Map<Digest, List<Digest>> referrersBySubject = new HashMap<>();
        scan.manifests.forEach((digest, refs) -> {
            if (refs.subject() != null) {
                referrersBySubject.computeIfAbsent(refs.subject(), s -> new ArrayList<>()).add(digest);
            }
        });

        Set<Digest> kept = new HashSet<>(roots);
        Deque<Digest> pending = new ArrayDeque<>(kept);
        while (!pending.isEmpty()) {
            Digest digest = pending.pop();
            RepositoryScan.References refs = scan.manifests.get(digest);
            List<Digest> reached = new ArrayList<>(refs == null ? List.of() : refs.children());
            reached.addAll(referrersBySubject.getOrDefault(digest, List.of()));
            for (Digest next : reached) {
                if (scan.manifests.containsKey(next) && kept.add(next)) {
                    pending.push(next);
                }
            }
        }
        return kept;
    }

    private boolean isRecentManifest(RepositoryName repository, Digest digest, Instant cutoff) throws IOException {
        try {
            FileInfo link = driver.stat(StorageLayout.manifestRevisionLink(repository, digest));
            if (!link.modifiedAt().isBefore(cutoff)) {
                return true;
            }
        } catch (PathNotFoundException e) {
            return false;
        }
        return isRecentlyReferenced(references, digest, cutoff);
    }

    /** Returns whether a push named {@code digest} at or after {@code cutoff}. */
    static boolean isRecentlyReferenced(BlobReferences references, Digest digest, Instant cutoff) throws IOException {
        Optional<Instant> referenced = references.lastReferenced(digest);
        return referenced.isPresent() && !referenced.get().isBefore(cutoff);
    }

    /** Unlinks one untagged manifest under a sweep mark; returns false when a push claimed it meanwhile. */
    private boolean removeManifest(RepositoryScan scan, Digest manifest, Instant cutoff, boolean dryRun, RemovalGuard guard)
            throws IOException {
        if (dryRun) {
            // A dry run writes nothing, not even the sweep mark, so it cannot delay a push.
            GarbageCollector.decision(scan.name, manifest, "would remove manifest", "untagged", true);
            return true;
        }
        references.markSweeping(manifest);
        try {
            if (isRecentlyReferenced(references, manifest, cutoff)) {
                GarbageCollector.decision(scan.name, manifest, "kept manifest", "pushed during collection", false);
                return false;
            }
            guard.check();
            unlinkManifest(scan, manifest);
        } finally {
            references.clearSweeping(manifest);
        }
        GarbageCollector.decision(scan.name, manifest, "removed manifest", "untagged", false);
        return true;
    }

    /** Removes the revision link, the manifest's entries in tag histories and its referrer entry. */
    private void unlinkManifest(RepositoryScan scan, Digest manifest) throws IOException {
        String hexPath = manifest.algorithm().id() + "/" + manifest.hex();
        for (Tag tag : scan.tagHistory(driver).getOrDefault(manifest, List.of())) {
            GarbageCollector.deleteIfPresent(driver, StorageLayout.tag(scan.name, tag) + "/index/" + hexPath);
        }
        RepositoryScan.References refs = scan.manifests.get(manifest);
        if (refs != null && refs.subject() != null) {
            GarbageCollector.deleteIfPresent(driver, StorageLayout.referrers(scan.name, refs.subject()) + "/" + hexPath);
        }
        registry.manifests().revisions().unlink(scan.name, manifest);
    }
}
