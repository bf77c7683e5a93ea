package io.entrepot.auth;

import java.util.Objects;
import java.util.Set;

/**
 * Account that made a request, as an authenticator established it: a user (from an htpasswd
 * file, LDAP or a token), a robot account, or an anonymous client.
 *
 * @param name the user or robot name; empty for an anonymous client
 * @param kind what kind of account {@code name} is
 * @param groups the groups the account belongs to (LDAP groups); empty when unknown
 */
public record Principal(String name, Kind kind, Set<String> groups) {

    public enum Kind { ANONYMOUS, USER, ROBOT }

    /** A client that sent no credentials. */
    public static final Principal ANONYMOUS = new Principal("", Kind.ANONYMOUS, Set.of());

    public Principal {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        groups = Set.copyOf(groups);
        if ((kind == Kind.ANONYMOUS) != name.isEmpty()) {
            throw new IllegalArgumentException("only an anonymous principal has an empty name, not " + kind + " '" + name + "'");
        }
    }

    /** Returns a user principal with no known groups. */
    public static Principal user(String name) {
        return new Principal(name, Kind.USER, Set.of());
    }

    public boolean anonymous() {
        return kind == Kind.ANONYMOUS;
    }
}
