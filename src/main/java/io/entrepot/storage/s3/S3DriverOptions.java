package io.entrepot.storage.s3;

import java.net.URI;
import java.time.Duration;

/**
 * The settings of one {@link S3Driver}, already validated by the configuration loader.
 *
 * @param bucket the bucket that holds everything the registry stores
 * @param region the signing region, such as {@code us-east-1}
 * @param endpoint the S3 endpoint, or null for AWS's endpoint of {@code region}
 * @param accessKey the access key id, or null to use the SDK's default credentials chain
 * @param secretKey the secret access key that goes with {@code accessKey}
 * @param sessionToken a session token for temporary credentials, or null
 * @param forcePathStyle whether to address the bucket in the path rather than the host name
 * @param rootDirectory the key prefix under which every storage path lives, without slashes at
 *     either end, or empty for the bucket's root
 * @param encrypt whether objects are written with server-side encryption
 * @param kmsKeyId the KMS key for SSE-KMS, or null for SSE-S3 (AES256) when {@code encrypt} is set
 * @param skipVerify whether to accept any TLS certificate from the endpoint
 * @param chunkSize the size in bytes of each multipart upload part, at least 5 MiB
 * @param uploadConcurrency the maximum number of parts that one writer sends at the same time; each
 *     writer uses at most this many plus one part buffers of {@code chunkSize} bytes
 * @param uploadBufferMemory the bytes of part buffers that all writers together may hold beyond
 *     the first buffer of each, which makes the number of extra buffers this divided by
 *     {@code chunkSize}; zero sends every upload's parts one at a time
 * @param copyChunkSize the size in bytes of each {@code UploadPartCopy} range
 * @param copyMaxConcurrency the maximum number of {@code UploadPartCopy} requests in flight for one copy
 * @param copyThresholdSize objects larger than this many bytes are copied part by part
 * @param storageClass the storage class of new objects, or null to let the server choose
 * @param objectAcl the canned ACL of new objects, such as {@code private}
 * @param userAgent a string appended to the SDK's User-Agent header, or null
 * @param dualStack whether to use AWS's dual-stack (IPv4 and IPv6) endpoints
 * @param maxConnections the maximum number of pooled HTTP connections to the endpoint
 * @param connectTimeout how long to wait for a TCP connection to the endpoint
 * @param socketTimeout how long a request may wait for the next bytes from the endpoint
 * @param maxAttempts attempts per request, the first included, before a retryable error is raised
 * @param redirectExpiry how long a presigned URL from {@link S3Driver#redirectUrl} stays valid
 */
public record S3DriverOptions(
        String bucket,
        String region,
        URI endpoint,
        String accessKey,
        String secretKey,
        String sessionToken,
        boolean forcePathStyle,
        String rootDirectory,
        boolean encrypt,
        String kmsKeyId,
        boolean skipVerify,
        long chunkSize,
        int uploadConcurrency,
        long uploadBufferMemory,
        long copyChunkSize,
        int copyMaxConcurrency,
        long copyThresholdSize,
        String storageClass,
        String objectAcl,
        String userAgent,
        boolean dualStack,
        int maxConnections,
        Duration connectTimeout,
        Duration socketTimeout,
        int maxAttempts,
        Duration redirectExpiry) {

    /** S3's minimum size of every part of a multipart upload except the last. */
    public static final long MIN_PART_SIZE = 5L * 1024 * 1024;

    /** S3's maximum size of one part, and of one {@code CopyObject}. */
    public static final long MAX_PART_SIZE = 5L * 1024 * 1024 * 1024;

    public S3DriverOptions {
        if (bucket == null || bucket.isBlank()) {
            throw new IllegalArgumentException("bucket must not be empty");
        }
        if (chunkSize < MIN_PART_SIZE || chunkSize > MAX_PART_SIZE) {
            throw new IllegalArgumentException("chunkSize must be between 5 MiB and 5 GiB: " + chunkSize);
        }
        if (uploadConcurrency < 1) {
            throw new IllegalArgumentException("uploadConcurrency must be positive: " + uploadConcurrency);
        }
        if (uploadBufferMemory < 0) {
            throw new IllegalArgumentException("uploadBufferMemory must not be negative: " + uploadBufferMemory);
        }
        if (copyChunkSize < MIN_PART_SIZE || copyChunkSize > MAX_PART_SIZE) {
            throw new IllegalArgumentException("copyChunkSize must be between 5 MiB and 5 GiB: " + copyChunkSize);
        }
        if (copyMaxConcurrency < 1) {
            throw new IllegalArgumentException("copyMaxConcurrency must be positive: " + copyMaxConcurrency);
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be positive: " + maxAttempts);
        }
        rootDirectory = rootDirectory == null ? "" : rootDirectory.replaceAll("^/+|/+$", "");
    }
}
