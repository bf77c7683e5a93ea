package io.entrepot.registry;

import java.util.Map;

/**
 * A request the registry rejects, with the specification's error code and a message that names
 * the offending value. The HTTP layer turns it into the JSON error envelope.
 */
public class RegistryException extends RuntimeException {

    private final ErrorCode code;
    private final transient Object detail;

    public RegistryException(ErrorCode code, String message) {
        this(code, message, null);
    }

    public RegistryException(ErrorCode code, String message, Object detail) {
        super(message);
        this.code = code;
        this.detail = detail;
    }

    public ErrorCode code() {
        return code;
    }

    /** Returns the value placed in the envelope's {@code detail} field, or null. */
    public Object detail() {
        return detail;
    }

    public static RegistryException blobUnknown(Digest digest) {
        return new RegistryException(ErrorCode.BLOB_UNKNOWN, "blob unknown: " + digest, Map.of("digest", digest.toString()));
    }

    public static RegistryException manifestUnknown(RepositoryName repository, String reference) {
        return new RegistryException(ErrorCode.MANIFEST_UNKNOWN,
                "manifest unknown: " + repository + ":" + reference,
                Map.of("name", repository.toString(), "reference", reference));
    }

    public static RegistryException nameUnknown(RepositoryName repository) {
        return new RegistryException(ErrorCode.NAME_UNKNOWN, "repository name not known to registry: " + repository,
                Map.of("name", repository.toString()));
    }

    public static RegistryException uploadUnknown(String uploadId) {
        return new RegistryException(ErrorCode.BLOB_UPLOAD_UNKNOWN, "blob upload unknown: " + uploadId);
    }

    public static RegistryException unsupported(String message) {
        return new RegistryException(ErrorCode.UNSUPPORTED, message);
    }
}
