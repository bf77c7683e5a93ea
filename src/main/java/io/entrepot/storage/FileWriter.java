package io.entrepot.storage;

import java.io.IOException;
import java.io.OutputStream;

/**
 * An append-only stream of bytes to one storage path, from {@link StorageDriver#writer}.
 *
 * <p>{@link #close} makes the bytes written so far durable and visible at the path; a writer
 * that is closed without {@link #commit} may be reopened with {@code append} to continue.
 * {@link #cancel} discards the file.
 */
public abstract class FileWriter extends OutputStream {

    /** Returns the number of bytes in the file, those stored before this writer included. */
    public abstract long size();

    /** Flushes everything written and marks the file complete; no write may follow. */
    public abstract void commit() throws IOException;

    /** Discards the file and everything written to it. */
    public abstract void cancel() throws IOException;
}
