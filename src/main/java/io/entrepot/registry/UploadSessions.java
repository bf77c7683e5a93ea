package io.entrepot.registry;

import io.entrepot.storage.FileWriter;
import io.entrepot.storage.PathNotFoundException;
import io.entrepot.storage.StorageDriver;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Blob upload sessions: started by POST, fed by PATCH, completed by PUT.
 *
 * <p>All state an upload needs lives in storage, under {@code _uploads/<id>/}: the bytes received
 * so far in {@code data} and the start time in {@code startedat}. Any process sharing the storage
 * can therefore continue or complete an upload that another one started, and an upload survives
 * the process that was receiving it. The size of {@code data} is the upload's offset; bytes that
 * a killed process appended are counted, so the client resumes after them.
 *
 * <p>Hashing is the one piece kept in memory, as an optimisation: a process that received the
 * last chunk keeps the running SHA-256 at that offset and completes without reading the data
 * back. Any other process, or a sha512 digest, rehashes {@code data} from storage at completion.
 * The running hashes are forgotten when the upload ends and are bounded in number.
 */
public final class UploadSessions {

    /** The state of an upload: its id and the number of bytes stored. */
    public record Status(UploadId id, long size) {}

    // A hash in progress for one upload, valid while the data file is exactly `offset` bytes long.
    private record RunningHash(long offset, MessageDigest hasher) {}

    private static final int MAX_RUNNING_HASHES = 10_000;
    private static final int COPY_BUFFER = 256 * 1024;

    private final StorageDriver driver;
    private final BlobStore blobs;
    private final RepositoryLinks layers;
    private final BlobReferences references;
    private final Clock clock;
    private final Map<String, RunningHash> runningHashes = new ConcurrentHashMap<>();

    public UploadSessions(StorageDriver driver, BlobStore blobs, RepositoryLinks layers, BlobReferences references, Clock clock) {
        this.driver = driver;
        this.blobs = blobs;
        this.layers = layers;
        this.references = references;
        this.clock = clock;
    }

    /** Starts an empty upload session in {@code repository}. */
    public Status start(RepositoryName repository) throws IOException {
        UploadId id = UploadId.random();
        driver.putContent(StorageLayout.uploadStartedAt(repository, id),
                OffsetDateTime.ofInstant(clock.instant(), java.time.ZoneOffset.UTC).toString().getBytes(StandardCharsets.UTF_8));
        driver.putContent(StorageLayout.uploadData(repository, id), new byte[0]);
        return new Status(id, 0);
    }

    /**
     * Returns the number of bytes stored for the upload.
     *
     * @throws RegistryException with BLOB_UPLOAD_UNKNOWN when there is no such upload
     */
    public Status status(RepositoryName repository, UploadId id) throws IOException {
        try {
            return new Status(id, driver.stat(StorageLayout.uploadData(repository, id)).size());
        } catch (PathNotFoundException e) {
            // registry:2 writes the data file only with the first chunk.
            try {
                driver.stat(StorageLayout.uploadStartedAt(repository, id));
                return new Status(id, 0);
            } catch (PathNotFoundException missing) {
                throw RegistryException.uploadUnknown(id.toString());
            }
        }
    }

    /**
     * Appends {@code body} to the upload.
     *
     * @param expectedStart the first byte position the client claims for this chunk, from its
     *     {@code Content-Range}, or null when it sent none
     * @throws RegistryException with RANGE_INVALID when {@code expectedStart} is not the current size
     */
    public Status append(RepositoryName repository, UploadId id, InputStream body, Long expectedStart) throws IOException {
        long size = status(repository, id).size();
        if (expectedStart != null && expectedStart != size) {
            throw new RegistryException(ErrorCode.RANGE_INVALID,
                    "chunk starts at byte " + expectedStart + " but upload " + id + " has " + size + " bytes; resend from " + size);
        }
        String key = key(repository, id);
        RunningHash running = runningHashes.remove(key);
        if (running == null || running.offset() != size) {
            running = size == 0 ? new RunningHash(0, Digest.Algorithm.SHA256.newHasher()) : null;
        }
        MessageDigest hasher = running == null ? null : running.hasher();
        long newSize;
        try (FileWriter writer = driver.writer(StorageLayout.uploadData(repository, id), true)) {
            copy(body, writer, hasher);
            writer.commit();
            newSize = writer.size();
        }
        if (hasher != null && runningHashes.size() < MAX_RUNNING_HASHES) {
            runningHashes.put(key, new RunningHash(newSize, hasher));
        }
        return new Status(id, newSize);
    }

    /**
     * Completes the upload: appends the optional final chunk, verifies that the content hashes to
     * {@code expected}, moves it to its content-addressed path and links it into the repository.
     * On a digest mismatch the upload is cancelled and nothing is stored.
     *
     * @param finalChunk the body of the completing PUT, or null when it has none
     */
    public Descriptor complete(RepositoryName repository, UploadId id, InputStream finalChunk, Digest expected) throws IOException {
        Status status = finalChunk == null ? status(repository, id) : append(repository, id, finalChunk, null);

        Digest actual = digestOf(repository, id, status.size(), expected.algorithm());
        if (!actual.equals(expected)) {
            cancel(repository, id);
            throw new RegistryException(ErrorCode.DIGEST_INVALID,
                    "digest mismatch: client gave " + expected + " but the " + status.size() + " uploaded bytes hash to " + actual,
                    Map.of("digest", expected.toString()));
        }

        // Claim the blob before deciding whether the stored copy can stand in for the upload, so
        // that a garbage collection sweeping it either finds the claim or finishes first. The cache
        // generation is taken first, so that a collection starting before the entry is written
        // (possible only after the grace period) drops it.
        BlobDescriptorCache.Generation generation = blobs.cacheGeneration();
        references.touch(expected);
        references.awaitNoSweep(expected);
        String data = StorageLayout.uploadData(repository, id);
        if (!blobs.existsInStorage(expected)) {
            try {
                driver.move(data, StorageLayout.blobData(expected));
            } catch (PathNotFoundException e) {
                // An upload that received no chunk has no data file in registry:2's layout.
                driver.putContent(StorageLayout.blobData(expected), new byte[0]);
            }
        }
        Descriptor descriptor = new Descriptor(Descriptor.OCTET_STREAM, expected, status.size());
        blobs.recordStored(descriptor, generation);

        layers.link(repository, expected);

        removeSession(repository, id);
        return descriptor;
    }

    /** Starts, fills and completes an upload in one step, for {@code POST ...?digest=}. */
    public Descriptor uploadWhole(RepositoryName repository, InputStream body, Digest expected) throws IOException {
        Status started = start(repository);
        try {
            return complete(repository, started.id(), body, expected);
        } catch (IOException | RuntimeException e) {
            removeQuietly(repository, started.id());
            throw e;
        }
    }

    /** Cancels the upload and deletes what it stored. */
    public void cancel(RepositoryName repository, UploadId id) throws IOException {
        status(repository, id);
        removeSession(repository, id);
    }

    private void removeSession(RepositoryName repository, UploadId id) throws IOException {
        runningHashes.remove(key(repository, id));
        try {
            driver.delete(StorageLayout.upload(repository, id));
        } catch (PathNotFoundException e) {
            // completed or cancelled concurrently
        }
    }

    private void removeQuietly(RepositoryName repository, UploadId id) {
        try {
            removeSession(repository, id);
        } catch (IOException ignored) {
            // the purge job removes it later
        }
    }

    private Digest digestOf(RepositoryName repository, UploadId id, long size, Digest.Algorithm algorithm) throws IOException {
        RunningHash running = runningHashes.get(key(repository, id));
        if (algorithm == Digest.Algorithm.SHA256 && running != null && running.offset() == size) {
            return Digest.of(algorithm, running.hasher().digest());
        }
        MessageDigest hasher = algorithm.newHasher();
        try (InputStream in = driver.reader(StorageLayout.uploadData(repository, id), 0)) {
            copy(in, java.io.OutputStream.nullOutputStream(), hasher);
        } catch (PathNotFoundException e) {
            // no chunk received: the digest of zero bytes
        }
        return Digest.of(algorithm, hasher.digest());
    }

    private static void copy(InputStream in, java.io.OutputStream out, MessageDigest hasher) throws IOException {
        byte[] buffer = new byte[COPY_BUFFER];
        int read;
        while ((read = in.read(buffer)) != -1) {
            if (hasher != null) {
                hasher.update(buffer, 0, read);
            }
            out.write(buffer, 0, read);
        }
    }

    /** Returns when the upload started, from {@code startedat}, or null when that is unreadable. */
    Instant startedAt(RepositoryName repository, UploadId id) throws IOException {
        try {
            String text = new String(driver.getContent(StorageLayout.uploadStartedAt(repository, id)), StandardCharsets.UTF_8).trim();
            return OffsetDateTime.parse(text).toInstant();
        } catch (PathNotFoundException | DateTimeParseException e) {
            return null;
        }
    }

    private static String key(RepositoryName repository, UploadId id) {
        return repository + "@" + id;
    }
}
