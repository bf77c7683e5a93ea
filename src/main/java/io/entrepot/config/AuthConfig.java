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

    /**
     * {@code auth.token}: Docker's token authentication with JWTs from an external token server.
     *
     * @param realm URL of the token server, sent to clients in the challenge
     * @param service the service name that tokens must name as their audience
     * @param issuer the issuer that tokens must name
     * @param rootCertBundle PEM certificates whose keys may sign tokens, or null
     * @param jwks JSON Web Key Set file whose keys may sign tokens, or null
     */
    record Token(String realm, String service, String issuer, Path rootCertBundle, Path jwks) implements AuthConfig {}

    AuthConfig NONE = new None();
}
