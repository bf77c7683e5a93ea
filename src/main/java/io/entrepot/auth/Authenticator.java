package io.entrepot.auth;

import java.util.List;

/** Checks a request's credentials against the access it needs. Implementations are thread-safe. */
public interface Authenticator {

    /**
     * Returns the user that {@code authorization} identifies when it grants every access in
     * {@code required}. An empty {@code required} requires only that the client is authenticated,
     * as {@code GET /v2/} does.
     *
     * @param authorization value of the {@code Authorization} header, or null when absent
     * @param clientAddress the client's IP address, for limits on failed logins
     * @throws AuthenticationException when the credentials are missing, invalid or insufficient
     */
    String authorize(String authorization, String clientAddress, List<Access> required) throws AuthenticationException;

    /** An authenticator for registries without authentication: everyone may do everything, as user {@code ""}. */
    Authenticator NONE = (authorization, clientAddress, required) -> "";
}
