package io.entrepot.events;

import java.time.Instant;

/**
 * One audited action: a push, a tag change, a deletion, a failed authentication or a denied
 * permission. Fields that do not apply are null. No field ever holds a password or token.
 *
 * @param time when the request finished
 * @param user the authenticated user, the user named by rejected credentials, or null for anonymous
 * @param clientAddress the client's IP address
 * @param action such as {@code blob.push}, {@code manifest.push}, {@code manifest.delete} or {@code auth.failure}
 * @param repository the repository name
 * @param reference the tag or digest in the request path, for manifests
 * @param digest the digest of the blob or manifest
 * @param result {@code success}, {@code failure} or {@code denied}
 * @param status the HTTP status of the response
 * @param requestId the request id, also sent in {@code X-Request-Id} and written to the access log
 * @param scope for a denial, the access the request needed as a token scope string, such as
 *     {@code repository:team/app:pull,push}; null otherwise
 */
public record AuditEvent(
        Instant time,
        String user,
        String clientAddress,
        String action,
        String repository,
        String reference,
        String digest,
        String result,
        int status,
        String requestId,
        String scope) {

    /** Creates an event that is not a denial, without a scope. */
    public AuditEvent(Instant time, String user, String clientAddress, String action, String repository, String reference,
            String digest, String result, int status, String requestId) {
        this(time, user, clientAddress, action, repository, reference, digest, result, status, requestId, null);
    }
}
