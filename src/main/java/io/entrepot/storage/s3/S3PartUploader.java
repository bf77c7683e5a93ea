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
 * <p>Memory. Every part is a buffer of {@code chunksize} bytes. A writer always gets its first
 * buffer, and takes each further one from the driver's {@link S3BufferBudget}
 * ({@code uploadbuffermemory}) only if the budget has one left at that moment. Otherwise it waits
 * for one of its own parts in flight to return its buffer, which always happens because a part in
 * flight holds no lock and waits for nothing else. A writer never waits on the budget while
 * holding buffers, so writers cannot deadlock on each other's buffers, and when the budget is
 * spent an upload still proceeds, one part at a time. At most {@code concurrency} parts are in
 * flight, because {@link #submit} waits for a free slot while holding the full buffer, so a writer
 * has at most {@code concurrency + 1} buffers whatever the blob's size. While it waits, the thread
 * that reads the client's body stops reading, so a client that sends faster than S3 stores is
 * slowed to S3's pace.
 *
 * <p>A stored part's buffer stays with the writer only while the writer is waiting to hand over
 * a part or to take a buffer, because it is about to reuse it. Otherwise the buffer is dropped and
 * its share of the budget returned, so a writer fed by a slow client holds one buffer between
 * parts and leaves the budget to others. The cost is a new array of {@code chunksize} for some
 * parts. {@link #release} returns every buffer when the writer closes, commits or cancels, and the
 * buffers of parts still in flight then return as those parts finish.
 *
 * <p>The request body reads the buffer in place (and again on a retry), so no copy of a part is
 * made.
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
    private final S3BufferBudget budget;
    private final String bucket;
    private final String key;
    private final int bufferSize;
    private final int maxBuffers;
    private final Semaphore requestSlots;

    // Guarded by this. While allocatedBuffers > 0, this uploader has taken allocatedBuffers - 1 extras from the budget.
    private final Deque<byte[]> freeBuffers = new ArrayDeque<>();
    private int allocatedBuffers;
    private int buffersInFlight;
    private boolean writerWantsBuffer;
    private boolean released;

    private final Deque<Future<?>> inFlight = new ArrayDeque<>();
    private final Map<Integer, CompletedPart> stored = new ConcurrentSkipListMap<>();
    private final AtomicReference<SdkException> failure = new AtomicReference<>();

    S3PartUploader(S3Client s3, ExecutorService executor, S3BufferBudget budget, String bucket, String key, long partSize,
            int concurrency) {
        this.s3 = s3;
        this.executor = executor;
        this.budget = budget;
        this.bucket = bucket;
        this.key = key;
        this.bufferSize = bufferSize(partSize);
        this.maxBuffers = concurrency + 1;
        this.requestSlots = new Semaphore(concurrency);
    }

    /** Returns the length of the buffer that contains a part of {@code partSize} bytes. */
    static int bufferSize(long partSize) {
        // A Java array cannot exceed 2 GiB, which is below S3's 5 GiB maximum part.
        return (int) Math.min(Integer.MAX_VALUE - 8, partSize);
    }

    /**
     * Returns an empty part buffer: a returned one, a new one while the writer has none or the
     * budget allows, or else the next one that a part in flight returns.
     */
    synchronized byte[] takeBuffer() {
        if (released) {
            throw new IllegalStateException("the part uploader of " + key + " is already released");
        }
        writerWantsBuffer = true;
        try {
            while (freeBuffers.isEmpty()) {
                if (allocatedBuffers == 0) {
                    budget.takeFirst();
                    allocatedBuffers++;
                    return new byte[bufferSize];
                }
                if (allocatedBuffers < maxBuffers && budget.tryTakeExtra()) {
                    allocatedBuffers++;
                    return new byte[bufferSize];
                }
                if (buffersInFlight == 0) {
                    // Every buffer that the writer allocated is in its hands, so none can come back.
                    throw new IllegalStateException("no part buffer of " + key + " is free or in flight");
                }
                wait();
            }
            return freeBuffers.poll();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a part upload to " + key + " to finish", e);
        } finally {
            writerWantsBuffer = false;
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
        synchronized (this) {
            // The writer takes a buffer right after this, so parts that finish meanwhile keep theirs for it.
            writerWantsBuffer = true;
            buffersInFlight++;
        }
        try {
            requestSlots.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            returnBuffer(buffer);
            throw new IllegalStateException("interrupted while waiting to send part " + partNumber + " of " + key, e);
        }
        try {
            inFlight.add(executor.submit(() -> {
                try {
                    sendPart(uploadId, partNumber, buffer, length, afterStored);
                } finally {
                    // The buffer returns first, so that the writer finds it once the slot is free.
                    returnBuffer(buffer);
                    requestSlots.release();
                }
            }));
        } catch (RuntimeException e) {
            returnBuffer(buffer);
            requestSlots.release();
            throw e;
        }
    }

    private void sendPart(String uploadId, int partNumber, byte[] buffer, int length, Runnable afterStored) {
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
        }
    }

    /** Takes back the buffer of a part that finished or was never sent. */
    private synchronized void returnBuffer(byte[] buffer) {
        buffersInFlight--;
        if (released || (!writerWantsBuffer && allocatedBuffers > 1)) {
            dropBuffer();
            return;
        }
        freeBuffers.add(buffer);
        notifyAll();
    }

    /** Forgets one allocated buffer and returns its share of the budget. */
    private void dropBuffer() {
        allocatedBuffers--;
        if (allocatedBuffers > 0) {
            budget.returnExtra();
        } else {
            budget.returnFirst();
        }
    }

    /**
     * Returns to the budget every buffer that no part in flight uses, the writer's own included.
     * The buffers of parts still in flight return when those parts finish. Call once the writer is
     * done with its buffer, normally after {@link #awaitAll}.
     */
    synchronized void release() {
        if (released) {
            return;
        }
        released = true;
        freeBuffers.clear();
        int notInFlight = allocatedBuffers - buffersInFlight;
        for (int i = 0; i < notInFlight; i++) {
            dropBuffer();
        }
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
