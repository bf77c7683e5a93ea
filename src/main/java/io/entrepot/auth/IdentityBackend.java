package io.entrepot.auth;

import java.io.IOException;
import java.util.Optional;

/**
 * A source of accounts for the built-in token server: an htpasswd file, an LDAP directory or the
 * robot accounts file. Implementations are thread-safe.
 */
public interface IdentityBackend {

    /** Returns a short name for logs and errors, such as {@code htpasswd} or {@code ldap}. */
    String name();

    /**
     * Returns whether this backend may hold {@code user}. Robot names carry a prefix that only
     * the robot backend accepts, so that a user can never log in under a robot's name.
     */
    boolean accepts(String user);

    /**
     * Checks {@code password} and returns the account it proves, or empty when the user is unknown
     * or the password is wrong.
     *
     * @throws IOException when the backend cannot be asked, such as an LDAP server that is down
     */
    Optional<Principal> authenticate(String user, String password) throws IOException;

    /**
     * Returns the account named {@code user} as it is now, or empty when it no longer exists.
     * The token server calls this when it redeems a refresh token, so that a removed account
     * gets no new token and an LDAP account's groups are read again.
     *
     * @throws IOException when the backend cannot be asked
     */
    Optional<Principal> lookup(String user) throws IOException;
}
