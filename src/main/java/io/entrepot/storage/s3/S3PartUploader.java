package io.entrepot.storage.s3;

import java.io.ByteArrayInputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * Sends the parts of one {@link S3Writer} as UploadPart requests that run in the background, at
 * most {@code uploadconcurrency} at a time, while the writer's thread fills the next part.
 *
 * <p>Memory. Every part is a buffer of {@code chunksize} bytes. At most {@code concurrency} parts
 * are in flight, because {@link #submit} waits for a free slot while holding the full buffer, so
 * a writer has at most {@code concurrency + 1} buffers whatever the blob's size. While it waits,
 * the thread that reads the client's body stops reading, so a client that sends faster than S3
 * stores is slowed to S3's pace. A buffer is allocated only when no returned one is free, so a
 * client slower than S3 uses two. The request body reads the buffer in place (and again on a
 * retry), so no copy of a part is made.
 *
 * <p>Failures. Each request is retried by the SDK up to {@code maxretries} times. A part that
 * still fails is recorded as the first failure; parts that are already in flight finish, and
 * no new part is sent. Parts finish out of order, so a failed part can leave stored parts after
 * it. {@link S3Uploads.Pending} counts only the parts numbered without a gap from 1, so the size
 * reported to the client covers bytes that are really stored, and the parts after the gap are
 * discarded when the upload is next completed.
 */
final class S3PartUploader {

    private final S3Client s3;
    private final ExecutorService executor;
    private final String bucket;
    private final String key;
    private final int bufferSize;
    private final int maxBuffers;
    private final Semaphore requestSlots;

    private final LinkedBlockingQueue<byte[]> freeBuffers = new LinkedBlockingQueue<>();
    private int allocatedBuffers;
    private final Deque<Future<?>> inFlight = new ArrayDeque<>();
    private final Map<Integer, CompletedPart> stored = new ConcurrentSkipListMap<>();
    private final AtomicReference<SdkException> failure = new AtomicReference<>();

    S3PartUploader(S3Client s3, ExecutorService executor, String bucket, String key, long partSize, int concurrency) {
        this.s3 = s3;
        this.executor = executor;
        this.bucket = bucket;
        this.key = key;
        // A Java array cannot exceed 2 GiB, which is below S3's 5 GiB maximum part.
        this.bufferSize = (int) Math.min(Integer.MAX_VALUE - 8, partSize);
        this.maxBuffers = concurrency + 1;
        this.requestSlots = new Semaphore(concurrency);
    }

    /** Returns an empty part buffer, waiting for a part in flight to finish when all buffers are in use. */
    byte[] takeBuffer() {
        byte[] free = freeBuffers.poll();
        if (free != null) {
            return free;
        }
        if (allocatedBuffers < maxBuffers) {
            allocatedBuffers++;
            return new byte[bufferSize];
        }
        try {
            return freeBuffers.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a part upload to " + key + " to finish", e);
        }
    }

    /**
     * Starts storing {@code length} bytes of {@code buffer} as part {@code partNumber} of
     * {@code uploadId}, first waiting while {@code concurrency} parts are in flight. The buffer
     * belongs to this uploader until {@link #takeBuffer} returns it.
     *
     * @param afterStored runs once the part is stored, in the thread that stored it; its failure
     *     fails the part
     */
    void submit(String uploadId, int partNumber, byte[] buffer, int length, Runnable afterStored) {
        inFlight.removeIf(Future::isDone);
        try {
            requestSlots.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to send part " + partNumber + " of " + key, e);
        }
        inFlight.add(executor.submit(() -> {
            try {
                var response = s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                        .partNumber(partNumber).contentLength((long) length),
                        RequestBody.fromContentProvider(() -> new ByteArrayInputStream(buffer, 0, length), length,
                                "application/octet-stream"));
                stored.put(partNumber, CompletedPart.builder().partNumber(partNumber).eTag(response.eTag()).build());
                afterStored.run();
            } catch (SdkException e) {
                failure.compareAndSet(null, e);
            } catch (RuntimeException e) {
                failure.compareAndSet(null, SdkException.builder().message("part " + partNumber + " failed: " + e).cause(e).build());
            } finally {
                // The buffer returns first, so that the writer finds it once the slot is free.
                freeBuffers.add(buffer);
                requestSlots.release();
            }
        }));
    }

    /** Returns the first part that failed after its retries, or null while none has. */
    SdkException failure() {
        return failure.get();
    }

    /** Waits until every part submitted so far has been stored or has failed. */
    void awaitAll() {
        while (!inFlight.isEmpty()) {
            try {
                inFlight.peek().get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the part uploads to " + key, e);
            } catch (ExecutionException e) {
                // Each task records SDK and runtime failures itself, so only an Error arrives here.
                failure.compareAndSet(null, SdkException.builder().message("part upload failed: " + e.getCause())
                        .cause(e.getCause()).build());
            }
            inFlight.remove();
        }
    }

    /** Returns the parts stored by this uploader in part-number order; call after {@link #awaitAll}. */
    List<CompletedPart> storedParts() {
        return new ArrayList<>(stored.values());
    }
}
