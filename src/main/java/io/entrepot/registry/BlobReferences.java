package io.entrepot.registry;

import io.entrepot.storage.PathNotFoundException;
import io.entrepot.storage.StorageDriver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;

/**
 * The two files through which pushes and an online garbage collector agree on which blobs may be
 * deleted: {@code referencedat}, which a push writes before it relies on a blob, and
 * {@code sweeping}, which a collector writes before it deletes one.
 *
 * <p>Each side writes its own file first and reads the other's second. Storage reads see every
 * earlier write (the filesystem does, and S3 has been strongly consistent since December 2020), so
 * when a push and a deletion overlap, at least one of them sees the other's file: either the push
 * sees {@code sweeping} and waits for the collector's decision, or the collector sees a fresh
 * {@code referencedat} and keeps the blob. The full protocol is described in the maintenance
 * package's {@code GarbageCollector}.
 */
public final class BlobReferences {

    /** How long a push waits for a collector to finish with a blob before giving up. */
    static final Duration SWEEP_WAIT = Duration.ofSeconds(30);

    private static final long POLL_MILLIS = 20;

    private final StorageDriver driver;
    private final Clock clock;

    public BlobReferences(StorageDriver driver, Clock clock) {
        this.driver = driver;
        this.clock = clock;
    }

    /** Records that a push names {@code digest} now, so that a collector keeps it for its grace period. */
    public void touch(Digest digest) throws IOException {
        driver.putContent(StorageLayout.blobReferencedAt(digest), timestamp(clock.instant()));
    }

    /** Returns when a push last named {@code digest}, or empty when none did or the file is unreadable. */
    public Optional<Instant> lastReferenced(Digest digest) throws IOException {
        return readTimestamp(StorageLayout.blobReferencedAt(digest));
    }

    /**
     * Waits until no collector is deleting {@code digest}, for up to {@link #SWEEP_WAIT}.
     *
     * @throws RegistryException with UNAVAILABLE when a sweep mark is still there after the wait,
     *     which happens when a collector stopped between its mark and its decision; the next
     *     collection removes such a mark
     */
    public void awaitNoSweep(Digest digest) throws IOException {
        long deadline = System.nanoTime() + SWEEP_WAIT.toNanos();
        while (isSweeping(digest)) {
            if (System.nanoTime() > deadline) {
                throw new RegistryException(ErrorCode.UNAVAILABLE,
                        "blob " + digest + " is being removed by garbage collection; retry the push later",
                        Map.of("digest", digest.toString()));
            }
            sleep();
        }
    }

    /** Returns whether a collector has marked {@code digest} for deletion. */
    public boolean isSweeping(Digest digest) throws IOException {
        try {
            driver.stat(StorageLayout.blobSweepMark(digest));
            return true;
        } catch (PathNotFoundException e) {
            return false;
        }
    }

    /** Marks {@code digest} as about to be deleted. Only a collector calls this. */
    public void markSweeping(Digest digest) throws IOException {
        driver.putContent(StorageLayout.blobSweepMark(digest), timestamp(clock.instant()));
    }

    /** Removes the sweep mark after a collector decided to keep the blob; harmless when there is none. */
    public void clearSweeping(Digest digest) throws IOException {
        try {
            driver.delete(StorageLayout.blobSweepMark(digest));
        } catch (PathNotFoundException e) {
            // no mark to clear
        }
    }

    private Optional<Instant> readTimestamp(String path) throws IOException {
        try {
            String text = new String(driver.getContent(path), StandardCharsets.UTF_8).trim();
            return Optional.of(OffsetDateTime.parse(text).toInstant());
        } catch (PathNotFoundException e) {
            return Optional.empty();
        } catch (DateTimeParseException e) {
            // Unreadable content: the file's modification time is the best evidence left.
            try {
                return Optional.of(driver.stat(path).modifiedAt());
            } catch (PathNotFoundException gone) {
                return Optional.empty();
            }
        }
    }

    private static byte[] timestamp(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC).toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void sleep() throws IOException {
        try {
            Thread.sleep(POLL_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for a garbage collection sweep");
        }
    }
}
