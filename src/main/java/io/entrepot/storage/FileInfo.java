package io.entrepot.storage;

import java.time.Instant;

/**
 * What {@link StorageDriver#stat} reports about a path.
 *
 * @param path the path that was described
 * @param size the file's length in bytes, 0 for a directory
 * @param modifiedAt the last modification time, as precise as the backend keeps it
 * @param directory whether the path is a directory
 */
public record FileInfo(String path, long size, Instant modifiedAt, boolean directory) {}
