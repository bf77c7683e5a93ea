package io.entrepot.auth;

import java.util.List;

/**
 * Thrown when a request may not proceed: its credentials are missing or wrong, or they do not
 * grant the access the request needs. Carries the {@code WWW-Authenticate} challenge from which
 * the client learns how to authenticate.
 */
public final class AuthenticationException extends Exception {

    private static final long serialVersionUID = 1L;

    /** The reason a request was stopped. */
    public enum Reason {
        /** No credentials were sent; clients send them after this first challenge. */
        CREDENTIALS_MISSING,
        /** Credentials were sent and are wrong, expired or not meant for this registry. */
        CREDENTIALS_INVALID,
        /**
         * The token is valid but does not grant the access the request needs. The response is 401
         * because the client may fetch a token with more scopes.
         */
        INSUFFICIENT_SCOPE,
        /**
         * The credentials are valid but the access policy does not grant the request to this
         * principal. The response is 403 because no other credentials can be fetched automatically.
         */
        ACCESS_DENIED,
        /** The user or the client address failed to log in too often and is blocked for a while. */
        TOO_MANY_FAILURES
    }

    private final Reason reason;
    private final String challenge;
    private final String user;
    private final List<Access> required;

    /**
     * @param user the user named by the credentials, or null when none was named
     * @param challenge value of the {@code WWW-Authenticate} header
     */
    public AuthenticationException(Reason reason, String message, String user, String challenge, List<Access> required) {
        super(message);
        this.reason = reason;
        this.user = user;
        this.challenge = challenge;
        this.required = List.copyOf(required);
    }

    public Reason reason() {
        return reason;
    }

    /** Returns the user named by the credentials, or null. Never a password or token. */
    public String user() {
        return user;
    }

    public String challenge() {
        return challenge;
    }

    public List<Access> required() {
        return required;
    }
}
