package io.entrepot.auth;

/**
 * Thrown when the token server cannot issue a token. The {@link Kind} fixes the HTTP status and
 * the OAuth2 error code of the response, and the message names the value that was rejected.
 */
public final class TokenRequestException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Reason that no token was issued. */
    public enum Kind {
        /** A parameter is missing or malformed, or names a service this server does not serve. */
        INVALID_REQUEST(400, "invalid_request"),
        /** The {@code grant_type} of an OAuth2 request is not {@code password} or {@code refresh_token}. */
        UNSUPPORTED_GRANT_TYPE(400, "unsupported_grant_type"),
        /** The user name and password, or the refresh token, are wrong, expired or revoked. */
        INVALID_CREDENTIALS(401, "invalid_grant"),
        /** The user or the client address failed to log in too often and is blocked for a while. */
        TOO_MANY_FAILURES(429, "invalid_grant"),
        /** No identity backend could check the credentials, such as an LDAP server that is down. */
        BACKEND_UNAVAILABLE(503, "temporarily_unavailable");

        private final int status;
        private final String oauthError;

        Kind(int status, String oauthError) {
            this.status = status;
            this.oauthError = oauthError;
        }

        public int status() {
            return status;
        }

        /** Returns the {@code error} code of RFC 6749 section 5.2 for this kind. */
        public String oauthError() {
            return oauthError;
        }
    }

    private final Kind kind;
    private final String user;

    /**
     * @param user the user named by the rejected credentials, or null; never a password or token
     */
    public TokenRequestException(Kind kind, String message, String user) {
        super(message);
        this.kind = kind;
        this.user = user;
    }

    /** Returns an exception of kind {@link Kind#INVALID_REQUEST} with {@code message}. */
    public static TokenRequestException invalidRequest(String message) {
        return new TokenRequestException(Kind.INVALID_REQUEST, message, null);
    }

    public Kind kind() {
        return kind;
    }

    /** Returns the user named by the rejected credentials, or null. */
    public String user() {
        return user;
    }
}
