package io.entrepot.http;

import io.entrepot.registry.Descriptor;
import io.entrepot.registry.Digest;
import io.entrepot.registry.ErrorCode;
import io.entrepot.registry.Registry;
import io.entrepot.registry.RegistryException;
import io.entrepot.registry.RepositoryName;
import io.entrepot.registry.UploadId;
import io.entrepot.registry.UploadSessions.Status;
import java.io.IOException;
import java.io.InputStream;
import org.eclipse.jetty.http.HttpHeader;

/**
 * Blob uploads: {@code POST}, {@code PATCH}, {@code PUT}, {@code GET} and {@code DELETE} under
 * {@code /v2/<name>/blobs/uploads/}.
 */
final class UploadHandler {

    private final Registry registry;
    private final long maxBlobSize;
    private final UploadLimiter limiter;

    /**
     * @param maxBlobSize largest size an upload may reach, in bytes, or 0 for no limit
     * @param maxUploadsPerUser open upload sessions per user or anonymous address, or 0 for no limit
     */
    UploadHandler(Registry registry, long maxBlobSize, int maxUploadsPerUser) {
        this.registry = registry;
        this.maxBlobSize = maxBlobSize;
        this.limiter = new UploadLimiter(registry, maxUploadsPerUser);
    }

    /**
     * Starts an upload, or mounts a blob from {@code mountSource} when the request names one.
     *
     * @param mountSource the repository named by {@code from} when the caller may pull from it,
     *     or null; without it a mount request becomes a plain upload
     */
    // POST /v2/<name>/blobs/uploads/[?digest=<digest>] [?mount=<digest>&from=<name>]
    void startUpload(Exchange exchange, RepositoryName repository, RepositoryName mountSource) throws IOException {
        String mount = exchange.query("mount");
        if (mount != null && mountSource != null && mountBlob(exchange, repository, Digest.parse(mount), mountSource)) {
            return;
        }

        String owner = UploadLimiter.owner(exchange.user(), exchange.clientAddress());
        String digestParameter = exchange.query("digest");
        if (digestParameter != null) {
            Digest digest = Digest.parse(digestParameter);
            InputStream body = limitedBody(exchange, 0, null);
            Descriptor stored = limiter.whole(owner, () -> registry.uploads().uploadWhole(repository, body, digest));
            sendCreated(exchange, repository, stored.digest());
            return;
        }

        Status status = limiter.start(owner, repository, () -> registry.uploads().start(repository));
        sendProgress(exchange, repository, status);
    }

    /** Links a blob from another repository; returns false when the source does not have it. */
    private boolean mountBlob(Exchange exchange, RepositoryName repository, Digest digest, RepositoryName source) throws IOException {
        if (!registry.layers().contains(source, digest) || registry.blobs().stat(digest).isEmpty()) {
            return false;
        }
        registry.layers().link(repository, digest);
        sendCreated(exchange, repository, digest);
        return true;
    }

    // PATCH /v2/<name>/blobs/uploads/<id>   [Content-Range: first-last]
    void patchUpload(Exchange exchange, RepositoryName repository, UploadId id) throws IOException {
        Long start = null;
        String contentRange = exchange.header(HttpHeader.CONTENT_RANGE);
        if (contentRange != null) {
            ByteRange range = ByteRange.parseContentRange(contentRange);
            long declared = exchange.contentLength();
            if (declared >= 0 && declared != range.length()) {
                throw new RegistryException(ErrorCode.RANGE_INVALID, "Content-Range \"" + contentRange + "\" covers " + range.length()
                        + " bytes but Content-Length is " + declared);
            }
            start = range.first();
        }
        Long expectedStart = start;

        InputStream body = maxBlobSize == 0 ? exchange.body() : limitedBody(exchange, registry.uploads().status(repository, id).size(), id);
        Status status = appendOrCancel(repository, id, () -> registry.uploads().append(repository, id, body, expectedStart));

        sendProgress(exchange, repository, status);
    }

    // PUT /v2/<name>/blobs/uploads/<id>?digest=<digest>   [final chunk]
    void completeUpload(Exchange exchange, RepositoryName repository, UploadId id) throws IOException {
        long size = registry.uploads().status(repository, id).size();
        String digestParameter = exchange.query("digest");
        if (digestParameter == null) {
            throw new RegistryException(ErrorCode.DIGEST_INVALID, "the digest query parameter is required to complete an upload");
        }
        Digest digest = Digest.parse(digestParameter);
        String contentRange = exchange.header(HttpHeader.CONTENT_RANGE);
        if (contentRange != null) {
            ByteRange range = ByteRange.parseContentRange(contentRange);
            if (range.first() != size) {
                throw new RegistryException(ErrorCode.RANGE_INVALID,
                        "final chunk starts at byte " + range.first() + " but upload " + id + " has " + size + " bytes");
            }
        }

        InputStream finalChunk = exchange.contentLength() == 0 ? null : limitedBody(exchange, size, id);
        Descriptor stored = appendOrCancel(repository, id, () -> registry.uploads().complete(repository, id, finalChunk, digest));
        limiter.ended(repository, id);

        sendCreated(exchange, repository, stored.digest());
    }

    // GET /v2/<name>/blobs/uploads/<id>
    void uploadStatus(Exchange exchange, RepositoryName repository, UploadId id) throws IOException {
        Status status = registry.uploads().status(repository, id);
        setProgressHeaders(exchange, repository, status);
        exchange.send(204);
    }

    // DELETE /v2/<name>/blobs/uploads/<id>
    void cancelUpload(Exchange exchange, RepositoryName repository, UploadId id) throws IOException {
        registry.uploads().cancel(repository, id);
        limiter.ended(repository, id);
        exchange.send(204);
    }

    /**
     * Returns the request body, limited so that the upload cannot grow past {@code maxBlobSize}.
     * A declared length that would pass it is rejected before any byte is read.
     *
     * @param storedSize bytes the upload already contains
     * @param id the upload, or null for a one-request upload
     * @throws RegistryException with BLOB_TOO_LARGE when the declared length passes the limit
     */
    private InputStream limitedBody(Exchange exchange, long storedSize, UploadId id) {
        if (maxBlobSize == 0) {
            return exchange.body();
        }
        long declared = exchange.contentLength();
        if (declared >= 0 && storedSize + declared > maxBlobSize) {
            throw blobTooLarge(id, (storedSize + declared) + " bytes");
        }
        return new SizeLimitedInputStream(exchange.body(), maxBlobSize - storedSize,
                () -> blobTooLarge(id, "more than " + maxBlobSize + " bytes"));
    }

    /**
     * Runs {@code step}, and cancels the upload when the body passed the blob size limit while it
     * was streamed: the part already appended must not survive as a half chunk.
     */
    private <T> T appendOrCancel(RepositoryName repository, UploadId id, UploadLimiter.Upload<T> step) throws IOException {
        try {
            return step.run();
        } catch (RegistryException e) {
            if (e.code() == ErrorCode.BLOB_TOO_LARGE) {
                registry.uploads().cancel(repository, id);
                limiter.ended(repository, id);
            }
            throw e;
        }
    }

    private RegistryException blobTooLarge(UploadId id, String size) {
        String upload = id == null ? "blob upload" : "upload " + id;
        String consequence = id == null ? "; nothing was stored" : "";
        return new RegistryException(ErrorCode.BLOB_TOO_LARGE, upload + " would reach " + size + ", over the limit of "
                + maxBlobSize + " bytes set by http.maxblobsize" + consequence);
    }

    private void sendProgress(Exchange exchange, RepositoryName repository, Status status) {
        setProgressHeaders(exchange, repository, status);
        exchange.send(202);
    }

    private static void setProgressHeaders(Exchange exchange, RepositoryName repository, Status status) {
        exchange.setHeader(HttpHeader.LOCATION, exchange.urls().to(exchange.request(), "v2/" + repository + "/blobs/uploads/" + status.id()));
        exchange.setHeader("Docker-Upload-UUID", status.id().toString());
        // Distribution reports an empty upload as 0-0, and clients expect that form.
        exchange.setHeader(HttpHeader.RANGE, "0-" + Math.max(0, status.size() - 1));
    }

    private static void sendCreated(Exchange exchange, RepositoryName repository, Digest digest) {
        exchange.setHeader(HttpHeader.LOCATION, exchange.urls().to(exchange.request(), "v2/" + repository + "/blobs/" + digest));
        exchange.setHeader("Docker-Content-Digest", digest.toString());
        exchange.send(201);
    }
}
