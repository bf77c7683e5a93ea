package io.entrepot.storage.s3;

import io.entrepot.storage.FileWriter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/**
 * Writes one file as an S3 multipart upload, so that a blob upload can be continued by any
 * registry process: its state is in the bucket, never only in a process's memory.
 *
 * <p>Design. A file being written is in one of two states that every process can see: a plain
 * object at its key, or a multipart upload in progress for its key that has at least one part.
 * When both exist, the upload is the current content, because a writer deletes the object right
 * after it stored the first part of an upload that replaces it. {@link S3Driver#stat} therefore
 * reports the sum of the parts for a file that only has an upload, and a reader first completes
 * such an upload into an object.
 *
 * <p>S3 requires every part but the last to be at least 5 MiB. Bytes are collected in a buffer of
 * {@code chunksize} and sent as one part each time it fills; {@link S3PartUploader} sends up to
 * {@code uploadconcurrency} parts at once while the next one fills, and {@link #close} and
 * {@link #commit} wait for them all. Closing without commit must make the bytes durable, so the
 * remainder is sent as a last part that may be small. Reopening with append then finds the upload
 * with ListMultipartUploads and its parts with ListParts. Only the parts numbered from 1 without a
 * gap count, because a part that failed, or that a killed process never sent, leaves the parts
 * after it unusable:
 * <ul>
 *   <li>If the last counted part is at least 5 MiB and no part follows a gap, new parts simply
 *       follow it.
 *   <li>Otherwise no part may follow it (S3 cannot read back a part of an upload in progress), or
 *       stale parts after the gap would be counted once new parts filled it. The writer completes
 *       the upload with the counted parts into an object, which discards the others, and continues
 *       from that object, as below.
 * </ul>
 * Appending to a plain object of size N starts a new upload seeded with the object's bytes. If N
 * is at least 5 MiB, they are copied inside S3 with UploadPartCopy in ranges of at least 5 MiB,
 * and the object is deleted once the copy is stored. If N is smaller, the bytes are read into the
 * buffer and reach S3 again with the first part or at close.
 *
 * <p>Costs. A client whose chunks are multiples of {@code chunksize} (or one that sends the whole
 * blob in one PATCH, as docker and skopeo do) costs one request per part. A client whose chunks
 * end off a part boundary makes each reopen copy the file so far inside S3, which distribution's
 * S3 driver does too; the bytes do not pass through the registry.
 *
 * <p>Crashes and failures. A process killed while writing, or a writer whose part failed, leaves the
 * parts it stored, and stat counts those before the first gap, so the client resumes after them. A process killed between storing the first part of a replacing
 * upload and deleting the old object leaves both; stat then reports the object while the writer
 * continues the upload, and the digest check at the end of the blob upload rejects the result if
 * the client resumed at the wrong offset.
 */
final class S3Writer extends FileWriter {

    private final S3Driver driver;
    private final S3Uploads uploads;
    private final String key;
    private final S3PartUploader partUploader;
    private byte[] buffer;
    private int buffered;

    private String uploadId;
    // The parts stored before this writer opened: those of the upload it continues, or the copy of an object.
    private final List<CompletedPart> earlierParts;
    private int nextPartNumber;
    // The bytes stored before this writer opened plus those handed to part uploads.
    private long acceptedSize;
    // Whether an object at the key may hold older content that the upload replaces.
    private boolean objectToReplace;
    private boolean closed;

    private S3Writer(S3Driver driver, S3Uploads uploads, String key, String uploadId, List<CompletedPart> parts, long storedSize) {
        this.driver = driver;
        this.uploads = uploads;
        this.key = key;
        S3DriverOptions options = driver.options();
        this.partUploader = new S3PartUploader(driver.client(), driver.executor(), driver.bufferBudget(), uploads.bucket(), key,
                options.chunkSize(), options.uploadConcurrency());
        this.buffer = partUploader.takeBuffer();
        this.uploadId = uploadId;
        this.earlierParts = List.copyOf(parts);
        this.nextPartNumber = parts.size() + 1;
        this.acceptedSize = storedSize;
        this.objectToReplace = true;
    }

    /** Opens a writer on {@code path}, continuing what is stored there when {@code append} is set. */
    static S3Writer open(S3Driver driver, S3Uploads uploads, S3Copier copier, String path, boolean append) {
        String key = driver.key(path);
        if (!append) {
            uploads.abortAll(key);
            return new S3Writer(driver, uploads, key, null, List.of(), 0);
        }

        Optional<S3Uploads.Pending> pending = uploads.pending(key);
        if (pending.isPresent()) {
            S3Uploads.Pending upload = pending.get();
            long lastPart = upload.parts().get(upload.parts().size() - 1).size();
            if (lastPart >= S3DriverOptions.MIN_PART_SIZE && !upload.hasPartsAfterGap()) {
                uploads.abortOthers(key, upload.uploadId());
                S3Writer writer = new S3Writer(driver, uploads, key, upload.uploadId(), upload.completedParts(), upload.size());
                writer.objectToReplace = false;
                return writer;
            }
            uploads.complete(key, upload.uploadId(), upload.completedParts());
        }
        uploads.abortAll(key);
        return continueObject(driver, uploads, copier, key);
    }

    /** Starts a writer whose content begins with the object at {@code key}, if there is one. */
    private static S3Writer continueObject(S3Driver driver, S3Uploads uploads, S3Copier copier, String key) {
        Optional<HeadObjectResponse> head = driver.head(key);
        long size = head.map(HeadObjectResponse::contentLength).orElse(0L);
        if (size == 0) {
            return new S3Writer(driver, uploads, key, null, List.of(), 0);
        }
        if (size < S3DriverOptions.MIN_PART_SIZE) {
            S3Writer writer = new S3Writer(driver, uploads, key, null, List.of(), 0);
            try {
                byte[] content = driver.client().getObjectAsBytes(b -> b.bucket(uploads.bucket()).key(key)).asByteArray();
                System.arraycopy(content, 0, writer.buffer, 0, content.length);
                writer.buffered = content.length;
                return writer;
            } catch (RuntimeException e) {
                writer.releaseBuffers();
                throw e;
            }
        }
        String uploadId = uploads.create(key);
        try {
            List<CompletedPart> copied = copier.copyRanges(key, key, uploadId, size, 1);
            S3Writer writer = new S3Writer(driver, uploads, key, uploadId, copied, size);
            try {
                writer.deleteObject();
            } catch (RuntimeException e) {
                writer.releaseBuffers();
                throw e;
            }
            writer.objectToReplace = false;
            return writer;
        } catch (RuntimeException e) {
            uploads.abort(key, uploadId);
            throw e;
        }
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        if (closed) {
            throw new IOException("s3: writer for " + key + " is already closed");
        }
        throwIfPartFailed();
        while (length > 0) {
            int count = Math.min(length, buffer.length - buffered);
            System.arraycopy(bytes, offset, buffer, buffered, count);
            buffered += count;
            offset += count;
            length -= count;
            if (buffered == buffer.length) {
                sendBufferAsPart(false);
            }
        }
    }

    @Override
    public long size() {
        return acceptedSize + buffered;
    }

    /**
     * Hands the buffered bytes to the part uploader as the next part, starting the upload if
     * needed, and takes a new buffer unless this is the {@code last} part. Waits while
     * {@code uploadconcurrency} parts are in flight.
     */
    private void sendBufferAsPart(boolean last) throws IOException {
        throwIfPartFailed();
        try {
            if (uploadId == null) {
                uploadId = uploads.create(key);
            }
        } catch (SdkException e) {
            throw S3Errors.translate(e, driver, driver.pathOf(key));
        }
        // When an object is to be replaced, this is part 1. The object is deleted once part 1 is
        // stored, because from then on the upload is the file's content.
        Runnable afterStored = objectToReplace ? this::deleteObject : () -> {};
        objectToReplace = false;
        partUploader.submit(uploadId, nextPartNumber++, buffer, buffered, afterStored);
        acceptedSize += buffered;
        buffered = 0;
        buffer = last ? null : partUploader.takeBuffer();
    }

    private void throwIfPartFailed() throws IOException {
        SdkException failure = partUploader.failure();
        if (failure != null) {
            throw S3Errors.translate(failure, driver, driver.pathOf(key));
        }
    }

    private void deleteObject() {
        driver.client().deleteObject(b -> b.bucket(uploads.bucket()).key(key));
    }

    /**
     * Stores what is buffered and leaves the file as an upload in progress, or as an object if it
     * has no upload. After a part failed, sends nothing more and throws that failure.
     */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (uploadId == null) {
                putBuffer();
            } else if (buffered > 0 && partUploader.failure() == null) {
                sendBufferAsPart(true);
            }
        } finally {
            awaitPartsAndRelease();
        }
        throwIfPartFailed();
    }

    @Override
    public void commit() throws IOException {
        if (closed) {
            throw new IOException("s3: writer for " + key + " is already closed");
        }
        closed = true;
        if (uploadId == null) {
            try {
                putBuffer();
            } finally {
                releaseBuffers();
            }
            return;
        }
        try {
            if (buffered > 0) {
                sendBufferAsPart(true);
            }
        } finally {
            awaitPartsAndRelease();
        }
        throwIfPartFailed();
        List<CompletedPart> parts = new ArrayList<>(earlierParts);
        parts.addAll(partUploader.storedParts());
        try {
            uploads.complete(key, uploadId, parts);
        } catch (SdkException e) {
            throw S3Errors.translate(e, driver, driver.pathOf(key));
        }
    }

    /** Waits for the parts in flight and returns every part buffer to the driver's budget, even when interrupted. */
    private void awaitPartsAndRelease() {
        try {
            partUploader.awaitAll();
        } finally {
            releaseBuffers();
        }
    }

    private void releaseBuffers() {
        buffer = null;
        partUploader.release();
    }

    private void putBuffer() throws IOException {
        try {
            driver.client().putObject(uploads.putRequest(key), RequestBody.fromBytes(Arrays.copyOf(buffer, buffered)));
        } catch (SdkException e) {
            throw S3Errors.translate(e, driver, driver.pathOf(key));
        }
    }

    @Override
    public void cancel() throws IOException {
        closed = true;
        // Aborting while parts are in flight would let them be stored after the abort.
        awaitPartsAndRelease();
        try {
            if (uploadId != null) {
                uploads.abort(key, uploadId);
            }
            deleteObject();
        } catch (SdkException e) {
            throw S3Errors.translate(e, driver, driver.pathOf(key));
        }
    }
}
