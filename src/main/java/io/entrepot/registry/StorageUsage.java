package io.entrepot.registry;

import io.entrepot.storage.FileInfo;
import io.entrepot.storage.PathNotFoundException;
import io.entrepot.storage.StorageDriver;
import io.entrepot.storage.WalkVisitor;
import java.io.IOException;

/**
 * What the storage contains, counted by walking it.
 *
 * @param blobs blobs under {@code blobs/}, whether or not a manifest refers to them
 * @param blobBytes the sum of their sizes
 * @param repositories directories holding a {@code _manifests} directory, as the catalog counts them
 * @param uploads upload directories under the repositories' {@code _uploads}
 */
public record StorageUsage(long blobs, long blobBytes, long repositories, long uploads) {

    /**
     * Walks the blobs and the repositories. Its cost grows with the number of blobs and
     * repositories (one list call per directory), so callers run it in the background.
     *
     * @throws IOException when the storage fails during the walk
     */
    public static StorageUsage measure(StorageDriver driver) throws IOException {
        long[] blobs = new long[2];
        walkIfPresent(driver, StorageLayout.BLOBS, (FileInfo info) -> {
            if (!info.directory() && info.path().endsWith("/data")) {
                blobs[0]++;
                blobs[1] += info.size();
            }
            return WalkVisitor.Decision.CONTINUE;
        });

        long[] repositories = new long[2];
        walkIfPresent(driver, StorageLayout.REPOSITORIES, (FileInfo info) -> {
            if (!info.directory()) {
                return WalkVisitor.Decision.CONTINUE;
            }
            String base = info.path().substring(info.path().lastIndexOf('/') + 1);
            String parent = info.path().substring(0, info.path().lastIndexOf('/'));
            if (parent.endsWith("/_uploads")) {
                repositories[1]++;
                return WalkVisitor.Decision.SKIP_DIRECTORY;
            }
            if (base.equals("_uploads")) {
                return WalkVisitor.Decision.CONTINUE;
            }
            if (base.startsWith("_")) {
                if (base.equals("_manifests")) {
                    repositories[0]++;
                }
                return WalkVisitor.Decision.SKIP_DIRECTORY;
            }
            return WalkVisitor.Decision.CONTINUE;
        });
        return new StorageUsage(blobs[0], blobs[1], repositories[0], repositories[1]);
    }

    private static void walkIfPresent(StorageDriver driver, String path, WalkVisitor visitor) throws IOException {
        try {
            driver.walk(path, visitor);
        } catch (PathNotFoundException e) {
            // An empty registry has no blobs or repositories directory yet.
        }
    }
}
