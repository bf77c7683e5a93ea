package io.entrepot.auth;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Decides which accesses a principal has. The registry calls it for each request when it checks
 * credentials itself (htpasswd), and the built-in token server calls it to choose which of the
 * requested scopes to put in a token. Implementations are thread-safe.
 */
public interface AccessPolicy {

    /**
     * Returns the members of {@code requested} that {@code principal} may have, in their order.
     * The rest are silently left out, as Docker's token specification requires of a token server.
     */
    Set<Access> granted(Principal principal, Collection<Access> requested);

    /** Returns whether {@code principal} has every access in {@code required}. */
    default boolean permits(Principal principal, Collection<Access> required) {
        return granted(principal, required).containsAll(required);
    }

    /**
     * Distribution's rule for htpasswd: an authenticated principal may do everything, an anonymous
     * one nothing.
     */
    AccessPolicy AUTHENTICATED_ALL = (principal, requested) ->
            principal.anonymous() ? Set.of() : new LinkedHashSet<>(requested);
}
