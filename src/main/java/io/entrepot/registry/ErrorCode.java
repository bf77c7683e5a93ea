package io.entrepot.registry;

/**
 * The error codes of the OCI Distribution Specification (and the Docker Registry HTTP API V2,
 * which shares them), each with the HTTP status the specification pairs it with.
 */
public enum ErrorCode {
    /** The blob is unknown to the registry, or to the repository named in the request. */
    BLOB_UNKNOWN(404, "blob unknown to registry"),
    /** An error occurred while uploading a blob. */
    BLOB_UPLOAD_INVALID(400, "blob upload invalid"),
    /** The upload session named in the request does not exist or has expired. */
    BLOB_UPLOAD_UNKNOWN(404, "blob upload unknown to registry"),
    /** The digest the client gave does not match the uploaded content, or is malformed. */
    DIGEST_INVALID(400, "provided digest did not match uploaded content"),
    /** A manifest refers to a blob that the repository does not contain. */
    MANIFEST_BLOB_UNKNOWN(400, "manifest references a manifest or blob unknown to registry"),
    /** The manifest could not be parsed or failed validation. */
    MANIFEST_INVALID(400, "manifest invalid"),
    /** The manifest named by a tag or digest is not in the repository. */
    MANIFEST_UNKNOWN(404, "manifest unknown to registry"),
    /** The repository name is malformed. */
    NAME_INVALID(400, "invalid repository name"),
    /** The repository is not known to the registry. */
    NAME_UNKNOWN(404, "repository name not known to registry"),
    /** The content is larger than the registry accepts. */
    SIZE_INVALID(400, "provided length did not match content length"),
    /** The tag is malformed. */
    TAG_INVALID(400, "manifest tag did not match URI"),
    /** The client must authenticate. */
    UNAUTHORIZED(401, "authentication required"),
    /** The client is authenticated but may not perform the operation. */
    DENIED(403, "requested access to the resource is denied"),
    /** The operation is not supported by this registry, or not in its current state. */
    UNSUPPORTED(405, "the operation is unsupported"),
    /** The client sent too many requests. */
    TOOMANYREQUESTS(429, "too many requests"),
    /** A Range or Content-Range header is malformed or does not fit the content. */
    RANGE_INVALID(416, "invalid content range"),
    /**
     * The manifest is larger than the configured limit. Sent as MANIFEST_INVALID, the code that
     * distribution and zot send for an oversize manifest, with the 413 status that the OCI
     * Distribution Specification lists for a manifest PUT.
     */
    MANIFEST_TOO_LARGE(413, "manifest too large", "MANIFEST_INVALID"),
    /** The blob would grow beyond the configured limit; sent as SIZE_INVALID with status 413. */
    BLOB_TOO_LARGE(413, "blob too large", "SIZE_INVALID"),
    /** A query parameter such as {@code n} is malformed. */
    PAGINATION_NUMBER_INVALID(400, "invalid number of results requested"),
    /** No API endpoint matches the request path (Entrepot's code; the specification defines none). */
    NOT_FOUND(404, "not found"),
    /** The registry failed in a way the client cannot fix. */
    UNKNOWN(500, "unknown error"),
    /** The registry is not able to serve the request at the moment. */
    UNAVAILABLE(503, "service unavailable");

    private final int httpStatus;
    private final String message;
    private final String wireName;

    ErrorCode(int httpStatus, String message) {
        this(httpStatus, message, null);
    }

    ErrorCode(int httpStatus, String message, String wireName) {
        this.httpStatus = httpStatus;
        this.message = message;
        this.wireName = wireName;
    }

    /** Returns the code as written in the error envelope. */
    public String wireName() {
        return wireName == null ? name() : wireName;
    }

    /** Returns the HTTP status that responses carrying this code use. */
    public int httpStatus() {
        return httpStatus;
    }

    /** Returns the specification's generic message for the code. */
    public String message() {
        return message;
    }
}
