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

    UploadHandler(Registry registry) {
        this.registry = registry;
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

        String digestParameter = exchange.query("digest");
        if (digestParameter != null) {
            Digest digest = Digest.parse(digestParameter);
            Descriptor stored = registry.uploads().uploadWhole(repository, exchange.body(), digest);
            sendCreated(exchange, repository, stored.digest());
            return;
        }

        Status status = registry.uploads().start(repository);
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
        Long expectedStart = null;
        String contentRange = exchange.header(HttpHeader.CONTENT_RANGE);
        if (contentRange != null) {
            ByteRange range = ByteRange.parseContentRange(contentRange);
            long declared = exchange.contentLength();
            if (declared >= 0 && declared != range.length()) {
                throw new RegistryException(ErrorCode.RANGE_INVALID, "Content-Range \"" + contentRange + "\" covers " + range.length()
                        + " bytes but Content-Length is " + declared);
            }
            expectedStart = range.first();
        }

        Status status = registry.uploads().append(repository, id, exchange.body(), expectedStart);

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

        InputStream finalChunk = exchange.contentLength() == 0 ? null : exchange.body();
        Descriptor stored = registry.uploads().complete(repository, id, finalChunk, digest);

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
        exchange.send(204);
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
