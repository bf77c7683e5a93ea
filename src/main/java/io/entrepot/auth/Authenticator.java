package io.entrepot.auth;

import java.util.List;
import java.util.Optional;

/** Checks a request's credentials against the access it needs. Implementations are thread-safe. */
public interface Authenticator {

    /**
     * Returns the principal that {@code authorization} identifies when it is granted every access in
     * {@code required}. An empty {@code required} requires only that the client is authenticated,
     * as {@code GET /v2/} does. Returns {@link Principal#ANONYMOUS} for a request without
     * credentials when the scheme grants {@code required} to anonymous clients.
     *
     * @param authorization value of the {@code Authorization} header, or null when absent
     * @param clientAddress the client's IP address, for limits on failed logins
     * @throws AuthenticationException when the credentials are missing, invalid or insufficient
     */
    Principal authorize(String authorization, String clientAddress, List<Access> required) throws AuthenticationException;

    /**
     * Returns the policy that this authenticator applies to the principals it returns, so that the
     * registry can also decide what a request may see beyond its required access: the catalog
     * entries and the source of a cross-repository mount. Empty when the credentials carry their
     * own grants, as a token's {@code access} claim does.
     */
    default Optional<AccessPolicy> policy() {
        return Optional.empty();
    }

    /**
     * Returns an authenticator that checks credentials as this one does and reports
     * {@code policy} from {@link #policy()}. The built-in token server uses it: its tokens name the
     * principal, so the policy that chose their scopes can also decide the catalog and mounts.
     */
    default Authenticator withPolicy(AccessPolicy policy) {
        Authenticator credentials = this;
        return new Authenticator() {
            @Override
            public Principal authorize(String authorization, String clientAddress, List<Access> required) throws AuthenticationException {
                return credentials.authorize(authorization, clientAddress, required);
            }

            @Override
            public Optional<AccessPolicy> policy() {
                return Optional.of(policy);
            }
        };
    }

    /** An authenticator for registries without authentication: every client may do everything, as an anonymous principal. */
    Authenticator NONE = (authorization, clientAddress, required) -> Principal.ANONYMOUS;
}
