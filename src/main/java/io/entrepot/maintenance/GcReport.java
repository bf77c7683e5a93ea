package io.entrepot.maintenance;

import io.entrepot.registry.Digest;
import io.entrepot.registry.RepositoryName;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The outcome of one garbage collection: what it removed, or with a dry run what it would remove.
 *
 * @param dryRun whether nothing was changed
 * @param repositories per repository, the manifests removed and the deleted blobs it linked as a
 *     layer, a config or a manifest revision. Only repositories with something removed are listed
 * @param blobsRemoved every blob deleted from storage, each counted once
 * @param manifestsScanned manifests found in every repository
 * @param blobsScanned blobs found in storage, manifests included
 * @param manifestsKeptByGrace untagged manifests that {@code --delete-untagged} kept only because
 *     they were linked or named by a push within the grace period; 0 without that option
 * @param blobsKeptByGrace blobs kept only because of the grace period: unreferenced blobs written
 *     or named by a push within it, and blobs that only the manifests of
 *     {@code manifestsKeptByGrace} reference
 * @param duration how long the collection took
 */
public record GcReport(
        boolean dryRun,
        List<RepositoryReport> repositories,
        List<RemovedBlob> blobsRemoved,
        int manifestsScanned,
        int blobsScanned,
        int manifestsKeptByGrace,
        int blobsKeptByGrace,
        Duration duration) {

    /** A deleted blob and its size in bytes. */
    public record RemovedBlob(Digest digest, long size) {}

    /**
     * The removals in one repository. A blob that several repositories linked is listed under
     * each of them, so the per-repository counts and sizes can add up to more than the totals.
     *
     * @param manifestsRemoved untagged manifests whose revision link was removed
     * @param blobsRemoved blobs linked in this repository that were deleted from storage, the
     *     stored bytes of its removed manifests included
     * @param sharedBlobs the digests of {@code blobsRemoved} that other repositories linked too
     * @param manifestBlobs the digests of {@code blobsRemoved} that are manifests of this repository
     */
    public record RepositoryReport(RepositoryName name, List<Digest> manifestsRemoved, List<RemovedBlob> blobsRemoved,
            Set<Digest> sharedBlobs, Set<Digest> manifestBlobs) {

        public RepositoryReport {
            manifestsRemoved = List.copyOf(manifestsRemoved);
            blobsRemoved = List.copyOf(blobsRemoved);
            sharedBlobs = Set.copyOf(sharedBlobs);
            manifestBlobs = Set.copyOf(manifestBlobs);
        }

        /**
         * Returns the sum of the sizes of {@code blobsRemoved}. A blob linked in several
         * repositories counts in each of them, but once in {@link GcReport#bytesFreed}.
         */
        public long bytesFreed() {
            return blobsRemoved.stream().mapToLong(RemovedBlob::size).sum();
        }

        /** Returns the number of removed blobs that only this repository linked. */
        public int blobsOnlyHere() {
            return blobsRemoved.size() - sharedBlobs.size();
        }
    }

    /** Returns the bytes freed in storage, each blob counted once. */
    public long bytesFreed() {
        return blobsRemoved.stream().mapToLong(RemovedBlob::size).sum();
    }

    /**
     * Returns the removed blobs that no repository linked, such as an upload that no manifest
     * named or a manifest whose revision link a {@code DELETE} had already removed. With these,
     * the repositories list every blob of {@code blobsRemoved}.
     */
    public List<RemovedBlob> unlinkedBlobs() {
        Set<Digest> listed = new HashSet<>();
        repositories.forEach(repository -> repository.blobsRemoved().forEach(blob -> listed.add(blob.digest())));
        return blobsRemoved.stream().filter(blob -> !listed.contains(blob.digest())).toList();
    }

    /** Returns the number of manifests removed in every repository. */
    public int manifestsRemoved() {
        return repositories.stream().mapToInt(r -> r.manifestsRemoved().size()).sum();
    }
}
