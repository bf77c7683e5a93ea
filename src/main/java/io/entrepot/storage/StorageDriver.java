package io.entrepot.storage;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * A hierarchical byte store that the registry keeps its blobs, links and upload state in.
 *
 * <p>Paths are absolute, slash-separated and made of the characters {@link StoragePaths#isValid}
 * accepts; a driver never sees a relative or malformed path because {@link CheckedStorageDriver}
 * rejects those first. A path names either a file (it has content) or a directory (it has
 * children); directories exist implicitly while they have children.
 *
 * <p>Every method may be called concurrently from many threads and from several processes
 * sharing the same backend. A driver guarantees that {@link #putContent} and {@link #move} are
 * atomic for readers: a reader sees the old content or the new, never a mix.
 *
 * <p>Failures that callers act on are reported with {@link PathNotFoundException} and
 * {@link InvalidOffsetException}; any other backend failure is an {@link IOException} whose
 * message names the driver and the path.
 *
 * <p>Whoever builds a driver closes it when done, which releases its connections and threads.
 */
public interface StorageDriver extends Closeable {

    /** Returns the driver's name as used in configuration and metrics, such as {@code filesystem}. */
    String name();

    /**
     * Returns the whole content of a small file. Intended for links and manifests; use
     * {@link #reader} for blobs, whose size is unbounded.
     *
     * @throws PathNotFoundException if no file exists at {@code path}
     */
    byte[] getContent(String path) throws IOException;

    /** Replaces the content of {@code path} atomically, creating parent directories as needed. */
    void putContent(String path, byte[] content) throws IOException;

    /**
     * Opens a stream over the file at {@code path} starting at byte {@code offset}.
     *
     * @throws PathNotFoundException if no file exists at {@code path}
     * @throws InvalidOffsetException if {@code offset} is negative or beyond the end of the file
     */
    InputStream reader(String path, long offset) throws IOException;

    /**
     * Opens a writer on {@code path}. With {@code append} the writer continues after the bytes
     * already stored, so an upload started by one process can be continued by another; without
     * it, existing content is discarded. Bytes written become visible to {@link #stat} and
     * {@link #reader} no later than {@link FileWriter#close}.
     */
    FileWriter writer(String path, boolean append) throws IOException;

    /**
     * Describes the file or directory at {@code path}.
     *
     * @throws PathNotFoundException if nothing exists at {@code path}
     */
    FileInfo stat(String path) throws IOException;

    /**
     * Lists the direct children of the directory at {@code path} as full paths, in no particular
     * order.
     *
     * @throws PathNotFoundException if {@code path} is not an existing directory
     */
    List<String> list(String path) throws IOException;

    /**
     * Moves the file at {@code source} to {@code destination}, replacing whatever is there. The
     * destination appears whole or not at all.
     *
     * @throws PathNotFoundException if no file exists at {@code source}
     */
    void move(String source, String destination) throws IOException;

    /**
     * Deletes the file or the whole directory tree at {@code path}.
     *
     * @throws PathNotFoundException if nothing exists at {@code path}
     */
    void delete(String path) throws IOException;

    /**
     * Returns a URL from which a client may fetch {@code path} directly, bypassing the registry, or
     * empty when the driver cannot serve it that way (the filesystem driver never can).
     */
    Optional<String> redirectUrl(String path, String method) throws IOException;

    /**
     * Visits every file below {@code path}, depth first, directories before their children, in
     * lexical order at each level. The visitor may stop the walk or skip a directory. Walking a
     * large tree is slow: callers outside maintenance jobs should prefer {@link #list}.
     *
     * @throws PathNotFoundException if nothing exists at {@code path}
     */
    void walk(String path, WalkVisitor visitor) throws IOException;

    /**
     * Releases the driver's connections and threads; no call may follow. Closing twice has no
     * effect. Drivers with nothing to release but memory keep this no-op.
     */
    @Override
    default void close() throws IOException {}
}
