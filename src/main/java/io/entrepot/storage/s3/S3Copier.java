package io.entrepot.storage.s3;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.UploadPartCopyResponse;

/**
 * Copies objects inside the bucket without their bytes passing through the registry: one
 * {@code CopyObject} up to {@code multipartcopythresholdsize}, and above it a multipart upload
 * whose parts are {@code UploadPartCopy} ranges of {@code multipartcopychunksize}, at most
 * {@code multipartcopymaxconcurrency} of them in flight. The parallel copy is the faster one for
 * large layers because S3 copies each range independently.
 */
final class S3Copier {

    private final S3Client s3;
    private final S3DriverOptions options;
    private final S3Uploads uploads;
    // Each copy request blocks a thread for as long as the server copies the range; the
    // semaphore in copyRanges bounds how many run at once.
    private final ExecutorService executor;

    S3Copier(S3Client s3, S3DriverOptions options, S3Uploads uploads, ExecutorService executor) {
        this.s3 = s3;
        this.options = options;
        this.uploads = uploads;
        this.executor = executor;
    }

    /** Copies the object {@code source} of {@code size} bytes to {@code destination}, replacing it. */
    void copy(String source, String destination, long size) {
        if (size <= options.copyThresholdSize()) {
            s3.copyObject(copyRequest(source, destination));
            return;
        }
        String uploadId = uploads.create(destination);
        try {
            List<CompletedPart> parts = copyRanges(source, destination, uploadId, size, 1);
            uploads.complete(destination, uploadId, parts);
        } catch (RuntimeException e) {
            uploads.abort(destination, uploadId);
            throw e;
        }
    }

    private CopyObjectRequest copyRequest(String source, String destination) {
        var builder = CopyObjectRequest.builder()
                .sourceBucket(options.bucket()).sourceKey(source)
                .destinationBucket(options.bucket()).destinationKey(destination);
        uploads.applyObjectSettings(builder::storageClass, builder::acl, builder::serverSideEncryption, builder::ssekmsKeyId);
        return builder.build();
    }

    /**
     * Copies the whole object {@code source} into the upload {@code uploadId} as parts numbered
     * from {@code firstPart}, and returns them in order. Every part is at least 5 MiB when
     * {@code size} is, so more parts may follow them.
     */
    List<CompletedPart> copyRanges(String source, String destination, String uploadId, long size, int firstPart) {
        List<long[]> ranges = ranges(size, options.copyChunkSize());
        Semaphore slots = new Semaphore(options.copyMaxConcurrency());
        List<Future<UploadPartCopyResponse>> results = new ArrayList<>();
        for (int i = 0; i < ranges.size(); i++) {
            long[] range = ranges.get(i);
            int partNumber = firstPart + i;
            slots.acquireUninterruptibly();
            results.add(executor.submit(() -> {
                try {
                    return s3.uploadPartCopy(b -> b.sourceBucket(options.bucket()).sourceKey(source)
                            .destinationBucket(options.bucket()).destinationKey(destination)
                            .uploadId(uploadId).partNumber(partNumber)
                            .copySourceRange("bytes=" + range[0] + "-" + range[1]));
                } finally {
                    slots.release();
                }
            }));
        }
        List<CompletedPart> parts = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            parts.add(CompletedPart.builder().partNumber(firstPart + i).eTag(await(results.get(i)).copyPartResult().eTag()).build());
        }
        return parts;
    }

    /**
     * Splits {@code size} bytes into inclusive ranges of {@code chunk} bytes. A last range
     * smaller than S3's 5 MiB minimum part is merged into the one before it.
     */
    static List<long[]> ranges(long size, long chunk) {
        List<long[]> ranges = new ArrayList<>();
        for (long start = 0; start < size; start += chunk) {
            ranges.add(new long[] {start, Math.min(size, start + chunk) - 1});
        }
        int last = ranges.size() - 1;
        if (last > 0 && ranges.get(last)[1] - ranges.get(last)[0] + 1 < S3DriverOptions.MIN_PART_SIZE) {
            ranges.get(last - 1)[1] = ranges.remove(last)[1];
        }
        return ranges;
    }

    private static <T> T await(Future<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while copying", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SdkException sdk) {
                throw sdk;
            }
            throw new IllegalStateException("part copy failed: " + e.getCause(), e.getCause());
        }
    }
}
