package io.entrepot.maintenance;

import io.entrepot.registry.Digest;
import io.entrepot.registry.RepositoryName;
import java.time.Duration;
import java.util.List;

/**
 * The outcome of one garbage collection: what it removed, or with a dry run what it would remove.
 *
 * @param dryRun whether nothing was changed
 * @param repositories per repository: the manifests removed and the blobs it linked that were
 *     deleted; only repositories with something removed are listed
 * @param blobsRemoved every blob deleted from storage, each counted once
 * @param blobsKeptByGrace unreferenced blobs kept because they were written or named by a push
 *     within the grace period
 * @param duration how long the collection took
 */
public record GcReport(
        boolean dryRun,
        List<RepositoryReport> repositories,
        List<RemovedBlob> blobsRemoved,
        int manifestsScanned,
        int blobsScanned,
        int blobsKeptByGrace,
        Duration duration) {

    /** A deleted blob and its size in bytes. */
    public record RemovedBlob(Digest digest, long size) {}

    /**
     * The removals in one repository.
     *
     * @param manifestsRemoved untagged manifests whose revision link was removed
     * @param blobsRemoved blobs linked in this repository that were deleted from storage
     */
    public record RepositoryReport(RepositoryName name, List<Digest> manifestsRemoved, List<RemovedBlob> blobsRemoved) {
        /**
         * Returns the sum of the sizes of {@code blobsRemoved}. A blob linked in several
         * repositories counts in each of them, but once in {@link GcReport#bytesFreed}.
         */
        public long bytesFreed() {
            return blobsRemoved.stream().mapToLong(RemovedBlob::size).sum();
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
