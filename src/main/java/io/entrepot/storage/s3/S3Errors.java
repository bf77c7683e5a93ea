package io.entrepot.storage.s3;

import io.entrepot.storage.PathNotFoundException;
import java.io.IOException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Translates the SDK's failures into the storage driver's exceptions, naming what the operator must fix. */
final class S3Errors {

    private S3Errors() {}

    /** Returns whether {@code e} means that the key (not the bucket) does not exist. */
    static boolean isNotFound(S3Exception e) {
        String code = code(e);
        return e.statusCode() == 404 && !code.equals("NoSuchBucket") && !code.equals("NoSuchUpload");
    }

    static String code(S3Exception e) {
        return e.awsErrorDetails() == null || e.awsErrorDetails().errorCode() == null ? "" : e.awsErrorDetails().errorCode();
    }

    static IOException translate(SdkException e, S3Driver driver, String path) {
        S3DriverOptions options = driver.options();
        if (!(e instanceof S3Exception s3)) {
            return new IOException("s3: request for " + path + " in bucket " + options.bucket() + " failed: " + e.getMessage(), e);
        }
        if (isNotFound(s3)) {
            return new PathNotFoundException(driver.name(), path);
        }
        String code = code(s3);
        String keyId = options.accessKey() == null ? "from the default credentials chain" : options.accessKey();
        return switch (code) {
            case "NoSuchBucket" -> new IOException("s3: bucket " + options.bucket() + " does not exist at "
                    + endpoint(options) + "; create it or correct storage.s3.bucket", e);
            case "InvalidAccessKeyId" -> new IOException("s3: access key id " + keyId + " is not known to "
                    + endpoint(options) + "; correct storage.s3.accesskey", e);
            case "SignatureDoesNotMatch" -> new IOException("s3: the secret key of access key id " + keyId
                    + " does not match; correct storage.s3.secretkey", e);
            case "AccessDenied" -> new IOException("s3: access key id " + keyId + " may not access bucket "
                    + options.bucket() + " (" + path + "); grant it s3:ListBucket, s3:GetObject, s3:PutObject,"
                    + " s3:DeleteObject and the multipart upload actions", e);
            default -> new IOException("s3: request for " + path + " in bucket " + options.bucket() + " failed with HTTP "
                    + s3.statusCode() + (code.isEmpty() ? "" : " " + code) + ": " + s3.getMessage(), e);
        };
    }

    private static String endpoint(S3DriverOptions options) {
        return options.endpoint() == null ? "region " + options.region() : options.endpoint().toString();
    }
}
