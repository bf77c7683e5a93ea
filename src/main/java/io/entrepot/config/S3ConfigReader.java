package io.entrepot.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;

/** Maps {@code storage.s3} to {@link StorageConfig.S3}, applying distribution's defaults and recording every invalid value. */
final class S3ConfigReader {

    private static final String PREFIX = "storage.s3.";

    private final ValueReader reader;
    private final List<String> warnings;

    S3ConfigReader(ValueReader reader, List<String> warnings) {
        this.reader = reader;
        this.warnings = warnings;
    }

    StorageConfig.S3 read() {
        String accessKey = optional("accesskey");
        String secretKey = optional("secretkey");
        if ((accessKey == null) != (secretKey == null)) {
            String missing = accessKey == null ? "accesskey" : "secretkey";
            reader.problem(PREFIX + missing, "missing; set accesskey and secretkey together, or neither to use the"
                    + " AWS SDK's default credentials chain (environment, profile, instance role)", null);
        }
        String region = required("region", "the bucket's region, such as us-east-1; any value for a server that ignores it");
        String bucket = required("bucket", "the name of an existing bucket");

        boolean secure = reader.bool(PREFIX + "secure", true);
        boolean v4Auth = reader.bool(PREFIX + "v4auth", true);
        if (!v4Auth) {
            warnings.add("storage.s3.v4auth: false is not supported, because the AWS SDK for Java v2 signs only with"
                    + " signature version 4; Entrepot signs with version 4");
        }

        boolean encrypt = reader.bool(PREFIX + "encrypt", false);
        String keyId = optional("keyid");
        if (keyId != null && !encrypt) {
            warnings.add("storage.s3.keyid is ignored because storage.s3.encrypt is false");
            keyId = null;
        }

        long chunkSize = size("chunksize", StorageConfig.S3.DEFAULT_CHUNK_SIZE, StorageConfig.S3.MIN_CHUNK_SIZE);
        int maxConnections = (int) positive("maxconnections", StorageConfig.S3.DEFAULT_MAX_CONNECTIONS, 10_000);

        return new StorageConfig.S3(
                accessKey,
                secretKey,
                optional("sessiontoken"),
                region,
                endpoint(secure),
                reader.bool(PREFIX + "forcepathstyle", false),
                bucket,
                rootDirectory(),
                encrypt,
                keyId,
                secure,
                reader.bool(PREFIX + "skipverify", false),
                v4Auth,
                chunkSize,
                (int) positive("uploadconcurrency", StorageConfig.S3.DEFAULT_UPLOAD_CONCURRENCY,
                        StorageConfig.S3.MAX_UPLOAD_CONCURRENCY),
                uploadBufferMemory(chunkSize, maxConnections),
                size("multipartcopychunksize", StorageConfig.S3.DEFAULT_MULTIPART_COPY_CHUNK_SIZE, StorageConfig.S3.MIN_CHUNK_SIZE),
                (int) positive("multipartcopymaxconcurrency", StorageConfig.S3.DEFAULT_MULTIPART_COPY_MAX_CONCURRENCY, 10_000),
                size("multipartcopythresholdsize", StorageConfig.S3.DEFAULT_MULTIPART_COPY_THRESHOLD_SIZE, 0),
                storageClass(),
                oneOf("objectacl", StorageConfig.S3.DEFAULT_OBJECT_ACL, StorageConfig.S3.OBJECT_ACLS),
                optional("useragent"),
                reader.bool(PREFIX + "usedualstack", false),
                oneOf("loglevel", StorageConfig.S3.DEFAULT_LOG_LEVEL, StorageConfig.S3.LOG_LEVELS),
                maxConnections,
                timeout("connecttimeout", StorageConfig.S3.DEFAULT_CONNECT_TIMEOUT),
                timeout("sockettimeout", StorageConfig.S3.DEFAULT_SOCKET_TIMEOUT),
                (int) between("maxretries", StorageConfig.S3.DEFAULT_MAX_RETRIES, 0, 20));
    }

    private String optional(String key) {
        String value = reader.string(PREFIX + key, null);
        return value == null || value.isEmpty() ? null : value;
    }

    private String required(String key, String what) {
        String value = optional(key);
        if (value == null || value.isBlank()) {
            reader.problem(PREFIX + key, "missing, set " + what, reader.node(PREFIX + key));
            return "";
        }
        return value;
    }

    /** Returns {@code regionendpoint} as a URL; without a scheme, http or https follows {@code secure}, as in distribution. */
    private URI endpoint(boolean secure) {
        String value = optional("regionendpoint");
        if (value == null) {
            return null;
        }
        String withScheme = value.contains("://") ? value : (secure ? "https://" : "http://") + value;
        try {
            URI uri = new URI(withScheme);
            if (uri.getHost() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
                reader.problem(PREFIX + "regionendpoint", "must be an http or https URL or a host name, such as"
                        + " https://minio.example.com:9000", reader.node(PREFIX + "regionendpoint"));
                return null;
            }
            return uri;
        } catch (URISyntaxException e) {
            reader.problem(PREFIX + "regionendpoint", "invalid URL, " + e.getReason(), reader.node(PREFIX + "regionendpoint"));
            return null;
        }
    }

    private String rootDirectory() {
        String value = reader.string(PREFIX + "rootdirectory", "");
        String trimmed = value.replaceAll("^/+|/+$", "");
        if (trimmed.contains("//")) {
            reader.problem(PREFIX + "rootdirectory", "must not contain an empty path segment", reader.node(PREFIX + "rootdirectory"));
        }
        return trimmed;
    }

    private long size(String key, long defaultValue, long minimum) {
        long value = reader.integer(PREFIX + key, defaultValue);
        if (value < minimum || value > StorageConfig.S3.MAX_CHUNK_SIZE) {
            reader.problem(PREFIX + key, "must be a number of bytes from " + minimum + (minimum == StorageConfig.S3.MIN_CHUNK_SIZE
                    ? " (5 MiB, S3's minimum part size)" : "") + " to " + StorageConfig.S3.MAX_CHUNK_SIZE + " (5 GiB)",
                    reader.node(PREFIX + key));
            return defaultValue;
        }
        return value;
    }

    /** Reads {@code uploadbuffermemory}, whose default follows the heap, and warns when it exceeds the heap. */
    private long uploadBufferMemory(long chunkSize, int maxConnections) {
        long maxHeap = Runtime.getRuntime().maxMemory();
        long defaultValue = StorageConfig.S3.defaultUploadBufferMemory(maxHeap, chunkSize, maxConnections);
        long value = reader.integer(PREFIX + "uploadbuffermemory", defaultValue);
        if (value < 0) {
            reader.problem(PREFIX + "uploadbuffermemory", "must be a number of bytes, 0 or more (0 sends the parts of"
                    + " every upload one at a time)", reader.node(PREFIX + "uploadbuffermemory"));
            return defaultValue;
        }
        if (value > maxHeap) {
            warnings.add("storage.s3.uploadbuffermemory: " + value + " bytes exceeds the maximum heap of " + maxHeap
                    + " bytes, so concurrent uploads can run out of memory; lower it or raise -Xmx");
        }
        return value;
    }

    private long positive(String key, long defaultValue, long maximum) {
        return between(key, defaultValue, 1, maximum);
    }

    private long between(String key, long defaultValue, long minimum, long maximum) {
        long value = reader.integer(PREFIX + key, defaultValue);
        if (value < minimum || value > maximum) {
            reader.problem(PREFIX + key, "must be an integer from " + minimum + " to " + maximum, reader.node(PREFIX + key));
            return defaultValue;
        }
        return value;
    }

    private Duration timeout(String key, Duration defaultValue) {
        Duration value = reader.duration(PREFIX + key, defaultValue);
        if (value.isZero()) {
            reader.problem(PREFIX + key, "must be greater than zero, because a request must not wait forever", reader.node(PREFIX + key));
            return defaultValue;
        }
        return value;
    }

    private String storageClass() {
        String value = oneOf("storageclass", StorageConfig.S3.DEFAULT_STORAGE_CLASS, StorageConfig.S3.STORAGE_CLASSES);
        return value.equals("NONE") ? null : value;
    }

    private String oneOf(String key, String defaultValue, List<String> allowed) {
        String value = reader.string(PREFIX + key, defaultValue);
        if (!allowed.contains(value)) {
            reader.problem(PREFIX + key, "must be one of " + String.join(", ", allowed), reader.node(PREFIX + key));
            return defaultValue;
        }
        return value;
    }
}
