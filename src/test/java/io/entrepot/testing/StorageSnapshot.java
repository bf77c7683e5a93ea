package io.entrepot.testing;

import io.entrepot.storage.FileInfo;
import io.entrepot.storage.PathNotFoundException;
import io.entrepot.storage.StorageDriver;
import io.entrepot.storage.WalkVisitor;
import java.io.IOException;
import java.util.TreeMap;

/** Lists every file in a storage driver with its size, so tests can assert that a request changed nothing. */
public final class StorageSnapshot {

    private StorageSnapshot() {}

    /** Returns each file path under {@code /} mapped to its size, sorted by path; empty for empty storage. */
    public static TreeMap<String, Long> of(StorageDriver driver) throws IOException {
        TreeMap<String, Long> files = new TreeMap<>();
        try {
            driver.walk("/", (FileInfo info) -> {
                if (!info.directory()) {
                    files.put(info.path(), info.size());
                }
                return WalkVisitor.Decision.CONTINUE;
            });
        } catch (PathNotFoundException e) {
            // empty storage
        }
        return files;
    }
}
