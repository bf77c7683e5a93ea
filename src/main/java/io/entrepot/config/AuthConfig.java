package io.entrepot.config;

import java.nio.file.Path;

/** The {@code auth} section: how clients prove who they are. At most one scheme is configured. */
public sealed interface AuthConfig {

    /** No authentication: every client may do everything. */
    record None() implements AuthConfig {}

    /**
     * {@code auth.htpasswd}: HTTP Basic authentication against an Apache htpasswd file of bcrypt
     * hashes. Every authenticated user may do everything, as in distribution.
     *
     * @param realm the realm named in the {@code WWW-Authenticate} challenge
     * @param path the htpasswd file
     */
    record Htpasswd(String realm, Path path) implements AuthConfig {}

    AuthConfig NONE = new None();
}
