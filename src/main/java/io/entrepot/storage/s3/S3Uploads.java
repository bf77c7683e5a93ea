package io.entrepot.storage.s3;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsResponse;
import software.amazon.awssdk.services.s3.model.ListPartsResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.ObjectCannedACL;
import software.amazon.awssdk.services.s3.model.Part;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.StorageClass;

/**
 * The multipart uploads of the bucket as the driver uses them: the requests that create objects
 * with the configured storage class, ACL and encryption, and the lookup of the upload in progress
 * for a key, which is how any process finds a file that another one left open.
 */
final class S3Uploads {

    /**
     * An upload in progress for one key.
     *
     * @param parts the parts numbered 1, 2, 3… without a gap, which make up the file's content
     * @param hasPartsAfterGap whether the upload also contains parts after a missing number, which
     *     a failed or interrupted writer leaves and which are not part of the content
     */
    record Pending(String key, String uploadId, Instant initiated, List<Part> parts, boolean hasPartsAfterGap) {

        long size() {
            return parts.stream().mapToLong(Part::size).sum();
        }

        Instant modifiedAt() {
            return parts.stream().map(Part::lastModified).max(Comparator.naturalOrder()).orElse(initiated);
        }

        List<CompletedPart> completedParts() {
            return parts.stream().map(p -> CompletedPart.builder().partNumber(p.partNumber()).eTag(p.eTag()).build()).toList();
        }
    }

    private final S3Client s3;
    private final S3DriverOptions options;

    S3Uploads(S3Client s3, S3DriverOptions options) {
        this.s3 = s3;
        this.options = options;
    }

    String bucket() {
        return options.bucket();
    }

    /**
     * Sets the configured storage class, ACL and server-side encryption on a request that creates
     * an object, through that request builder's setters.
     */
    void applyObjectSettings(Consumer<StorageClass> storageClass, Consumer<ObjectCannedACL> acl,
            Consumer<ServerSideEncryption> encryption, Consumer<String> kmsKeyId) {
        if (options.storageClass() != null) {
            storageClass.accept(StorageClass.fromValue(options.storageClass()));
        }
        if (options.objectAcl() != null) {
            acl.accept(ObjectCannedACL.fromValue(options.objectAcl()));
        }
        if (options.encrypt()) {
            encryption.accept(options.kmsKeyId() == null ? ServerSideEncryption.AES256 : ServerSideEncryption.AWS_KMS);
            kmsKeyId.accept(options.kmsKeyId());
        }
    }

    PutObjectRequest putRequest(String key) {
        var builder = PutObjectRequest.builder().bucket(options.bucket()).key(key).contentType("application/octet-stream");
        applyObjectSettings(builder::storageClass, builder::acl, builder::serverSideEncryption, builder::ssekmsKeyId);
        return builder.build();
    }

    /** Starts a multipart upload for {@code key} and returns its id. */
    String create(String key) {
        var builder = CreateMultipartUploadRequest.builder().bucket(options.bucket()).key(key).contentType("application/octet-stream");
        applyObjectSettings(builder::storageClass, builder::acl, builder::serverSideEncryption, builder::ssekmsKeyId);
        return s3.createMultipartUpload(builder.build()).uploadId();
    }

    void complete(String key, String uploadId, List<CompletedPart> parts) {
        s3.completeMultipartUpload(b -> b.bucket(options.bucket()).key(key).uploadId(uploadId)
                .multipartUpload(m -> m.parts(parts)));
    }

    void abort(String key, String uploadId) {
        try {
            s3.abortMultipartUpload(b -> b.bucket(options.bucket()).key(key).uploadId(uploadId));
        } catch (S3Exception e) {
            if (e.statusCode() != 404) {
                throw e;
            }
        }
    }

    /**
     * Returns the upload in progress for exactly {@code key} that has part 1, the most recently
     * started one if there are several.
     */
    Optional<Pending> pending(String key) {
        List<MultipartUpload> candidates = uploadsFor(key, false);
        candidates.sort(Comparator.comparing(MultipartUpload::initiated).reversed());
        for (MultipartUpload upload : candidates) {
            List<Part> parts = parts(key, upload.uploadId());
            int contiguous = 0;
            while (contiguous < parts.size() && parts.get(contiguous).partNumber() == contiguous + 1) {
                contiguous++;
            }
            if (contiguous > 0) {
                return Optional.of(new Pending(key, upload.uploadId(), upload.initiated(),
                        List.copyOf(parts.subList(0, contiguous)), contiguous < parts.size()));
            }
        }
        return Optional.empty();
    }

    /**
     * Completes the upload in progress for {@code key}, if any, into an object of its parts before
     * the first gap; returns whether there was one.
     */
    boolean completePending(String key) {
        Optional<Pending> pending = pending(key);
        if (pending.isEmpty()) {
            return false;
        }
        complete(key, pending.get().uploadId(), pending.get().completedParts());
        return true;
    }

    /** Aborts every upload in progress for {@code key} and the keys below it; returns how many there were. */
    int abortAll(String key) {
        List<MultipartUpload> found = uploadsFor(key, true);
        for (MultipartUpload upload : found) {
            abort(upload.key(), upload.uploadId());
        }
        return found.size();
    }

    /** Aborts the uploads for exactly {@code key} other than {@code keep}. */
    void abortOthers(String key, String keep) {
        for (MultipartUpload upload : uploadsFor(key, false)) {
            if (!upload.uploadId().equals(keep)) {
                abort(key, upload.uploadId());
            }
        }
    }

    private List<MultipartUpload> uploadsFor(String key, boolean below) {
        List<MultipartUpload> found = new ArrayList<>();
        String keyMarker = null;
        String uploadIdMarker = null;
        while (true) {
            String keyStart = keyMarker;
            String uploadStart = uploadIdMarker;
            ListMultipartUploadsResponse page = s3.listMultipartUploads(b -> b.bucket(options.bucket()).prefix(key)
                    .keyMarker(keyStart).uploadIdMarker(uploadStart));
            for (MultipartUpload upload : page.uploads()) {
                if (upload.key().equals(key) || (below && upload.key().startsWith(key + "/"))) {
                    found.add(upload);
                }
            }
            if (!Boolean.TRUE.equals(page.isTruncated())) {
                return found;
            }
            keyMarker = page.nextKeyMarker();
            uploadIdMarker = page.nextUploadIdMarker();
        }
    }

    /** Returns the parts of an upload in part-number order, paging through ListParts. */
    List<Part> parts(String key, String uploadId) {
        List<Part> parts = new ArrayList<>();
        Integer marker = null;
        while (true) {
            Integer start = marker;
            ListPartsResponse page;
            try {
                page = s3.listParts(b -> b.bucket(options.bucket()).key(key).uploadId(uploadId)
                        .partNumberMarker(start));
            } catch (S3Exception e) {
                if (e.statusCode() == 404) {
                    return List.of(); // completed or aborted since it was listed
                }
                throw e;
            }
            parts.addAll(page.parts());
            if (!Boolean.TRUE.equals(page.isTruncated()) || page.nextPartNumberMarker() == null) {
                break;
            }
            marker = page.nextPartNumberMarker();
        }
        parts.sort(Comparator.comparing(Part::partNumber));
        return parts;
    }
}
