package io.entrepot.http;

import io.entrepot.auth.Access;
import io.entrepot.auth.AccessPolicy;
import io.entrepot.auth.AuthenticationException;
import io.entrepot.auth.Authenticator;
import io.entrepot.auth.Principal;
import io.entrepot.registry.RepositoryName;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The principal of an authorized request, and the decisions about it that go beyond the
 * request's required access: which catalog entries it lists and whether it may mount from another
 * repository. Both are decided by the authenticator's policy when it has one, and otherwise by
 * the request's credentials themselves.
 */
final class Caller {

    private final Principal principal;
    private final Authenticator authenticator;
    private final String authorization;
    private final String clientAddress;

    Caller(Principal principal, Authenticator authenticator, String authorization, String clientAddress) {
        this.principal = principal;
        this.authenticator = authenticator;
        this.authorization = authorization;
        this.clientAddress = clientAddress;
    }

    Principal principal() {
        return principal;
    }

    /** Returns the user or robot name for logs and the audit log, or null for an anonymous client. */
    String name() {
        return principal.anonymous() ? null : principal.name();
    }

    /**
     * Returns whether the caller may pull from {@code repository}. Without a policy the
     * credentials are checked again for that access. For a token this verifies its signature
     * once more, which costs far less than the request it serves.
     */
    boolean mayPull(RepositoryName repository) {
        List<Access> pull = List.of(Access.pull(repository.value()));
        Optional<AccessPolicy> policy = authenticator.policy();
        if (policy.isPresent()) {
            return policy.get().permits(principal, pull);
        }
        try {
            authenticator.authorize(authorization, clientAddress, pull);
            return true;
        } catch (AuthenticationException e) {
            return false;
        }
    }

    /**
     * Returns which repositories the catalog lists to the caller. It lists every repository
     * when the policy grants {@code registry:catalog:*} or when there is no policy, because a
     * token reaches the catalog only with that scope. Otherwise it lists those the caller may pull.
     */
    Predicate<RepositoryName> catalogFilter() {
        Optional<AccessPolicy> policy = authenticator.policy();
        if (policy.isEmpty() || policy.get().permits(principal, List.of(Access.catalog()))) {
            return repository -> true;
        }
        return this::mayPull;
    }
}
