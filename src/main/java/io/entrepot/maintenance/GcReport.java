package io.entrepot.maintenance;

import io.entrepot.registry.Digest;
import io.entrepot.registry.RepositoryName;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The outcome of one garbage collection: what it removed, or with a dry run what it would remove.
 *
 * @param dryRun whether nothing was changed
 * @param repositories per repository: the manifests removed and the blobs it linked that were
 *     deleted; only repositories with something removed are listed
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
     * @param blobsRemoved blobs linked in this repository that were deleted from storage
     * @param sharedBlobs the digests of {@code blobsRemoved} that other repositories linked too
     */
    public record RepositoryReport(RepositoryName name, List<Digest> manifestsRemoved, List<RemovedBlob> blobsRemoved,
            Set<Digest> sharedBlobs) {

        public RepositoryReport {
            manifestsRemoved = List.copyOf(manifestsRemoved);
            blobsRemoved = List.copyOf(blobsRemoved);
            sharedBlobs = Set.copyOf(sharedBlobs);
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

    /** Returns the number of manifests removed in every repository. */
    public int manifestsRemoved() {
        return repositories.stream().mapToInt(r -> r.manifestsRemoved().size()).sum();
    }
}
