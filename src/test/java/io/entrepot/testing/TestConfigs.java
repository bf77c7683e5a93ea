package io.entrepot.testing;

import io.entrepot.config.HttpConfig;
import io.entrepot.config.LogConfig;
import io.entrepot.config.RegistryConfig;
import io.entrepot.config.StorageConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Builds configurations for tests: loopback, an ephemeral port, the given storage. */
public final class TestConfigs {

    private TestConfigs() {}

    public static StorageConfig.Driver filesystem(Path root) {
        return new StorageConfig.Filesystem(root, 100);
    }

    /** S3 storage in {@code bucket} of the S3Proxy at {@code endpoint}, with S3's smallest part size. */
    public static StorageConfig.S3 s3(java.net.URI endpoint, String bucket) {
        return new StorageConfig.S3(S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY, null, S3ProxyServer.REGION, endpoint,
                true, bucket, "registry", false, null, false, false, true, StorageConfig.S3.MIN_CHUNK_SIZE,
                StorageConfig.S3.DEFAULT_UPLOAD_CONCURRENCY, 64 * StorageConfig.S3.MIB, StorageConfig.S3.MIN_CHUNK_SIZE, 8, StorageConfig.S3.DEFAULT_MULTIPART_COPY_THRESHOLD_SIZE, null, "private",
                null, false, "off", 32, Duration.ofSeconds(5), Duration.ofSeconds(30), StorageConfig.S3.DEFAULT_MAX_RETRIES);
    }

    public static RegistryConfig config(StorageConfig.Driver driver, boolean deleteEnabled) {
        return withHttp(driver, deleteEnabled, http("/", null, false));
    }

    public static HttpConfig http(String prefix, String host, boolean relativeUrls) {
        return new HttpConfig("127.0.0.1:0", HttpConfig.Net.TCP, prefix, host, relativeUrls,
                Map.of("X-Content-Type-Options", List.of("nosniff")), Duration.ZERO, null,
                HttpConfig.DEFAULT_MAX_MANIFEST_SIZE);
    }

    public static RegistryConfig withHttp(StorageConfig.Driver driver, boolean deleteEnabled, HttpConfig http) {
        StorageConfig storage = new StorageConfig(driver, deleteEnabled, StorageConfig.UploadPurging.DEFAULT, false);
        return new RegistryConfig("0.1", LogConfig.DEFAULT, storage, http);
    }
}
