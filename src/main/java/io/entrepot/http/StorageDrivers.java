package io.entrepot.http;

import io.entrepot.config.StorageConfig;
import io.entrepot.storage.CheckedStorageDriver;
import io.entrepot.storage.StorageDriver;
import io.entrepot.storage.StorageObserver;
import io.entrepot.storage.filesystem.FilesystemDriver;
import io.entrepot.storage.inmemory.InMemoryDriver;
import io.entrepot.storage.middleware.BaseUrlRedirects;
import io.entrepot.storage.middleware.CloudFrontRedirects;
import io.entrepot.storage.middleware.CloudFrontSigner;
import io.entrepot.storage.s3.S3Driver;
import io.entrepot.storage.s3.S3DriverOptions;
import java.io.IOException;
import java.time.Clock;
import java.util.function.Consumer;

/** Builds the storage driver a configuration names, with its redirect middleware and path checks. */
public final class StorageDrivers {

    private StorageDrivers() {}

    /** Builds the storage driver that {@code config} names, wrapped with path checks. */
    public static StorageDriver create(StorageConfig.Driver config) throws IOException {
        return create(config, StorageConfig.Redirect.DISABLED);
    }

    /**
     * Builds the storage driver that {@code config} names with the redirect middleware of
     * {@code redirect}, wrapped with path checks. An S3 driver first checks that its bucket
     * exists and its credentials are accepted.
     *
     * @throws IOException naming the bucket or the access key id when S3 rejects them, or the key
     *     file of the cloudfront middleware when it cannot be read
     */
    public static StorageDriver create(StorageConfig.Driver config, StorageConfig.Redirect redirect) throws IOException {
        return create(config, redirect, StorageObserver.NONE, s3 -> {});
    }

    /**
     * Builds the storage driver as {@link #create(StorageConfig.Driver, StorageConfig.Redirect)}
     * does, with every call timed by {@code observer}. When the driver is S3, {@code s3Opened}
     * receives it before it is wrapped, so that the caller can export its own gauges.
     */
    public static StorageDriver create(StorageConfig.Driver config, StorageConfig.Redirect redirect,
            StorageObserver observer, Consumer<S3Driver> s3Opened) throws IOException {
        StorageDriver driver = switch (config) {
            case StorageConfig.Filesystem fs -> new FilesystemDriver(fs.rootDirectory(), fs.maxThreads());
            case StorageConfig.InMemory ignored -> new InMemoryDriver();
            case StorageConfig.S3 s3 -> {
                S3Driver opened = openS3(s3, redirect);
                s3Opened.accept(opened);
                yield opened;
            }
        };
        for (StorageConfig.StorageMiddleware middleware : redirect.middleware()) {
            driver = switch (middleware) {
                case StorageConfig.CloudFront cloudFront -> new CloudFrontRedirects(driver, cloudFront.baseUrl(),
                        cloudFrontSigner(cloudFront), cloudFront.duration(), Clock.systemUTC());
                case StorageConfig.BaseUrlRedirect base -> new BaseUrlRedirects(driver, base.baseUrl());
            };
        }
        return new CheckedStorageDriver(driver, observer);
    }

    /**
     * Reads the private key of the cloudfront middleware.
     *
     * @throws IOException when the key file cannot be read or contains no RSA private key
     */
    static CloudFrontSigner cloudFrontSigner(StorageConfig.CloudFront cloudFront) throws IOException {
        return new CloudFrontSigner(CloudFrontSigner.readPrivateKey(cloudFront.privateKey()), cloudFront.keyPairId());
    }

    private static S3Driver openS3(StorageConfig.S3 s3, StorageConfig.Redirect redirect) throws IOException {
        S3Driver driver = new S3Driver(new S3DriverOptions(s3.bucket(), s3.region(), s3.endpoint(), s3.accessKey(), s3.secretKey(),
                s3.sessionToken(), s3.forcePathStyle(), s3.rootDirectory(), s3.encrypt(), s3.keyId(), s3.skipVerify(),
                s3.chunkSize(), s3.uploadConcurrency(), s3.uploadBufferMemory(), s3.multipartCopyChunkSize(), s3.multipartCopyMaxConcurrency(), s3.multipartCopyThresholdSize(),
                s3.storageClass(), s3.objectAcl(), s3.userAgent(), s3.useDualStack(), s3.maxConnections(),
                s3.connectTimeout(), s3.socketTimeout(), s3.maxRetries() + 1, redirect.expiry()));
        try {
            driver.checkAccess();
        } catch (IOException e) {
            driver.close();
            throw e;
        }
        return driver;
    }
}
