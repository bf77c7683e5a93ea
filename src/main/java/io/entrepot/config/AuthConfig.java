package io.entrepot.config;

import java.nio.file.Path;
import java.time.Duration;

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
     * @param maxFailures failed logins allowed per user and per client address within
     *     {@code failureWindow} before both are blocked until the window ends; 0 turns the limit off
     *     (Entrepot's own key {@code maxfailures})
     * @param failureWindow the window of {@code maxFailures} (Entrepot's own key {@code failurewindow})
     */
    record Htpasswd(String realm, Path path, int maxFailures, Duration failureWindow) implements AuthConfig {

        /** Ten failures in five minutes stops a guessing tool early and rarely locks out a person. */
        public static final int DEFAULT_MAX_FAILURES = 10;
        public static final Duration DEFAULT_FAILURE_WINDOW = Duration.ofMinutes(5);

        /** Creates the section with the default limit on failed logins. */
        public Htpasswd(String realm, Path path) {
            this(realm, path, DEFAULT_MAX_FAILURES, DEFAULT_FAILURE_WINDOW);
        }
    }

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

    /**
     * {@code auth.builtin}: Entrepot's own token server at {@code <prefix>token} on the main
     * listener, which signs tokens that the registry then verifies as with {@code auth.token}.
     *
     * @param realm the token endpoint's URL sent in the challenge, or null to derive it from
     *     {@code http.host} or from each request
     * @param service the service name that clients request and tokens name as their audience
     * @param issuer the issuer that tokens name
     * @param key the PEM RSA or EC private key that signs tokens
     * @param expiration the lifetime of an access token
     * @param refreshExpiration the lifetime of a refresh token; zero issues none
     * @param backends the identity backends, tried in the order of the file
     * @param maxFailures failed logins allowed per user and client address within {@code failureWindow}; 0 turns the limit off
     * @param failureWindow the window of {@code maxFailures}
     */
    record Builtin(String realm, String service, String issuer, Path key, Duration expiration, Duration refreshExpiration,
            java.util.List<IdentityBackendConfig> backends, int maxFailures, Duration failureWindow) implements AuthConfig {

        /** Five minutes, as distribution's reference token server issues them: short enough that a leaked token soon stops working. */
        public static final Duration DEFAULT_EXPIRATION = Duration.ofMinutes(5);

        /** A day: a leaked refresh token stops working by the next day, at the cost of a daily {@code docker login}. */
        public static final Duration DEFAULT_REFRESH_EXPIRATION = Duration.ofHours(24);

        public Builtin {
            backends = java.util.List.copyOf(backends);
        }
    }

    AuthConfig NONE = new None();
}
