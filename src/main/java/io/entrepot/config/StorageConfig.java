package io.entrepot.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The {@code storage} section: exactly one driver, plus the options that apply to every driver.
 * The {@code middleware.storage} list is kept here too, because it changes how the driver's blobs
 * are redirected.
 */
public record StorageConfig(Driver driver, boolean deleteEnabled, UploadPurging uploadPurging, boolean readOnly, Redirect redirect,
        GarbageCollection garbageCollection) {

    /** A storage section without redirects, for callers that build a configuration in code. */
    public StorageConfig(Driver driver, boolean deleteEnabled, UploadPurging uploadPurging, boolean readOnly) {
        this(driver, deleteEnabled, uploadPurging, readOnly, Redirect.DISABLED);
    }

    /** A storage section without online garbage collection. */
    public StorageConfig(Driver driver, boolean deleteEnabled, UploadPurging uploadPurging, boolean readOnly, Redirect redirect) {
        this(driver, deleteEnabled, uploadPurging, readOnly, redirect, GarbageCollection.DEFAULT);
    }

    /** The configured storage driver and its parameters. */
    public sealed interface Driver permits Filesystem, InMemory, S3 {}

    /** {@code storage.filesystem}: {@code rootdirectory} and {@code maxthreads}. */
    public record Filesystem(Path rootDirectory, int maxThreads) implements Driver {
        /** Distribution's default root directory. */
        public static final Path DEFAULT_ROOT = Path.of("/var/lib/registry");
    }

    /** {@code storage.inmemory}: no parameters. */
    public record InMemory() implements Driver {}

    /**
     * {@code storage.s3}, with distribution's keys and defaults. Sizes are in bytes; a null string
     * means the key is unset.
     *
     * @param endpoint {@code regionendpoint} with the scheme that {@code secure} chose when it had
     *     none, or null for AWS's endpoint of the region
     * @param storageClass the storage class, or null for {@code NONE} (the server's default)
     * @param uploadBufferMemory the bytes of part buffers that all uploads together may hold
     *     beyond the first buffer of each
     */
    public record S3(
            String accessKey,
            String secretKey,
            String sessionToken,
            String region,
            URI endpoint,
            boolean forcePathStyle,
            String bucket,
            String rootDirectory,
            boolean encrypt,
            String keyId,
            boolean secure,
            boolean skipVerify,
            boolean v4Auth,
            long chunkSize,
            int uploadConcurrency,
            long uploadBufferMemory,
            long multipartCopyChunkSize,
            int multipartCopyMaxConcurrency,
            long multipartCopyThresholdSize,
            String storageClass,
            String objectAcl,
            String userAgent,
            boolean useDualStack,
            String logLevel,
            int maxConnections,
            Duration connectTimeout,
            Duration socketTimeout,
            int maxRetries) implements Driver {

        public static final long MIB = 1024 * 1024;
        /** S3's minimum part size, which distribution also requires of {@code chunksize}. */
        public static final long MIN_CHUNK_SIZE = 5 * MIB;
        /** S3's maximum part size. */
        public static final long MAX_CHUNK_SIZE = 5 * 1024 * MIB;
        public static final long DEFAULT_CHUNK_SIZE = 10 * MIB;
        /**
         * Entrepot's own key: the number of parts one upload sends at the same time. With the
         * default 10 MiB parts, four in flight and one filling make at most 50 MiB of buffers.
         */
        public static final int DEFAULT_UPLOAD_CONCURRENCY = 4;
        public static final int MAX_UPLOAD_CONCURRENCY = 64;
        /** A quarter of the heap, which leaves the rest to requests, caches and the SDK. */
        public static final int DEFAULT_UPLOAD_BUFFER_HEAP_DIVISOR = 4;
        public static final long DEFAULT_MULTIPART_COPY_CHUNK_SIZE = 32 * MIB;
        public static final int DEFAULT_MULTIPART_COPY_MAX_CONCURRENCY = 100;
        public static final long DEFAULT_MULTIPART_COPY_THRESHOLD_SIZE = 32 * MIB;
        public static final String DEFAULT_STORAGE_CLASS = "STANDARD";
        public static final String DEFAULT_OBJECT_ACL = "private";
        public static final String DEFAULT_LOG_LEVEL = "off";
        /** Entrepot's own keys: the SDK's pool size, and timeouts that bound a stuck request. */
        public static final int DEFAULT_MAX_CONNECTIONS = 100;
        public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
        public static final Duration DEFAULT_SOCKET_TIMEOUT = Duration.ofSeconds(60);
        public static final int DEFAULT_MAX_RETRIES = 4;

        public static final List<String> STORAGE_CLASSES = List.of(
                "STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR", "NONE");
        public static final List<String> OBJECT_ACLS = List.of(
                "private", "public-read", "public-read-write", "authenticated-read", "aws-exec-read",
                "bucket-owner-read", "bucket-owner-full-control", "log-delivery-write");
        public static final List<String> LOG_LEVELS = List.of(
                "off", "debug", "debugwithsigning", "debugwithhttpbody", "debugwithrequestretries",
                "debugwithrequesterrors", "debugwitheventstreambody");

        /**
         * Returns the default of {@code uploadbuffermemory}: a quarter of {@code maxHeap}, and no
         * more than {@code maxConnections} parts, because parts beyond the connection pool would
         * only wait for a connection.
         */
        public static long defaultUploadBufferMemory(long maxHeap, long chunkSize, int maxConnections) {
            return Math.min(maxHeap / DEFAULT_UPLOAD_BUFFER_HEAP_DIVISOR, chunkSize * maxConnections);
        }

        @Override
        public String toString() {
            // Keeps the secret key out of logs and exception messages.
            return "S3[bucket=" + bucket + ", region=" + region + ", endpoint=" + endpoint + ", rootDirectory=" + rootDirectory
                    + ", accessKey=" + accessKey + ", secretKey=" + (secretKey == null ? null : "*****") + "]";
        }
    }

    /**
     * {@code storage.redirect} and {@code middleware.storage}: whether blob GETs respond with 307 and a
     * URL from which the client fetches the bytes itself, and which URL that is.
     *
     * @param disabled {@code storage.redirect.disable}; distribution's default is false, so drivers
     *     that can redirect (s3) do
     * @param expiry how long a presigned S3 URL stays valid ({@code storage.redirect.expiry},
     *     an Entrepot key)
     * @param middleware the {@code middleware.storage} entries, applied in order, so the last one
     *     that produces a URL wins
     */
    public record Redirect(boolean disabled, Duration expiry, List<StorageMiddleware> middleware) {
        /** Distribution's S3 driver signs its URLs for 20 minutes. */
        public static final Duration DEFAULT_EXPIRY = Duration.ofMinutes(20);
        public static final Redirect DISABLED = new Redirect(true, DEFAULT_EXPIRY, List.of());
    }

    /** One entry of {@code middleware.storage}. */
    public sealed interface StorageMiddleware permits CloudFront, BaseUrlRedirect {}

    /**
     * {@code name: cloudfront}: blob downloads redirect to CloudFront URLs signed with a canned
     * policy.
     *
     * @param ipFilteredBy always {@code none}, because the aws and awsregion filters need AWS's IP
     *     ranges file, which Entrepot does not fetch yet
     */
    public record CloudFront(URI baseUrl, Path privateKey, String keyPairId, Duration duration, String ipFilteredBy,
            List<String> awsRegions, Duration updateFrequency) implements StorageMiddleware {
        public static final Duration DEFAULT_DURATION = Duration.ofMinutes(20);
        public static final Duration DEFAULT_UPDATE_FREQUENCY = Duration.ofHours(12);
    }

    /** {@code name: redirect}: blob downloads redirect to {@code baseurl} followed by the storage path, unsigned. */
    public record BaseUrlRedirect(URI baseUrl) implements StorageMiddleware {}

    /**
     * {@code storage.maintenance.uploadpurging}. Distribution's defaults: enabled, uploads older
     * than 168 h removed every 24 h.
     */
    public record UploadPurging(boolean enabled, Duration age, Duration interval, boolean dryRun) {
        public static final UploadPurging DEFAULT = new UploadPurging(true, Duration.ofHours(168), Duration.ofHours(24), false);
    }

    /**
     * {@code storage.maintenance.gc}, Entrepot's own key: garbage collection inside the server,
     * off by default as in distribution, which has none. Collections run every {@code interval},
     * or at the times of {@code schedule} in {@code timeZone} when a cron expression is set
     * (then {@code schedule} is not null).
     */
    public record GarbageCollection(boolean enabled, Duration interval, CronExpression schedule, java.time.ZoneId timeZone,
            Duration grace, boolean deleteUntagged, boolean dryRun) {
        public static final GarbageCollection DEFAULT = new GarbageCollection(false, Duration.ofHours(24), null,
                java.time.ZoneId.of("UTC"), Duration.ofHours(1), false, false);

        /**
         * The shortest grace period accepted online: a push may take up to 30 s between claiming
         * its blobs and linking its manifest, and the rest covers clock differences between instances.
         */
        public static final Duration MIN_ONLINE_GRACE = Duration.ofMinutes(1);
    }
}
