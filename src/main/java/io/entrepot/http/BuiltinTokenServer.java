package io.entrepot.http;

import io.entrepot.auth.AccessPolicy;
import io.entrepot.auth.Authenticator;
import io.entrepot.auth.HtpasswdBackend;
import io.entrepot.auth.IdentityBackend;
import io.entrepot.auth.LdapBackend;
import io.entrepot.auth.LoginThrottle;
import io.entrepot.auth.RobotBackend;
import io.entrepot.auth.SigningKey;
import io.entrepot.auth.TokenAuthenticator;
import io.entrepot.auth.TokenServer;
import io.entrepot.config.AuthConfig;
import io.entrepot.config.HttpConfig;
import io.entrepot.config.IdentityBackendConfig;
import io.entrepot.events.AuditLog;
import io.entrepot.metrics.Metrics;
import io.entrepot.tracing.Tracing;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.server.Handler;

/**
 * {@code auth.builtin} put together: the token server with its identity backends, the endpoint
 * that serves it, and the authenticator with which the registry verifies its tokens.
 */
final class BuiltinTokenServer {

    private final TokenServer tokens;
    private final TokenAuthenticator authenticator;
    private final Clock clock;

    private BuiltinTokenServer(TokenServer tokens, TokenAuthenticator authenticator, Clock clock) {
        this.tokens = tokens;
        this.authenticator = authenticator;
        this.clock = clock;
    }

    /**
     * Reads the signing key and the identity backends of {@code config}.
     *
     * @param policy decides which requested scopes go into a token
     * @throws IOException when the key, an htpasswd file, the robots file or the LDAP CA file cannot be read
     */
    static BuiltinTokenServer create(AuthConfig.Builtin config, HttpConfig http, AccessPolicy policy, Clock clock) throws IOException {
        SigningKey key = SigningKey.load(config.key());
        List<IdentityBackend> backends = new ArrayList<>();
        for (IdentityBackendConfig backend : config.backends()) {
            backends.add(identityBackend(backend));
        }
        TokenServer tokens = new TokenServer(new TokenServer.Settings(config.service(), config.issuer(), config.expiration(),
                config.refreshExpiration()), key, backends, policy, new LoginThrottle(config.maxFailures(), config.failureWindow(), clock), clock);
        TokenAuthenticator authenticator = new TokenAuthenticator(realm(config, http), config.service(), config.issuer(), key.publicKey(), clock);
        return new BuiltinTokenServer(tokens, authenticator, clock);
    }

    /**
     * Reads the file of one identity backend: an htpasswd file, a robots file, or the CA file of
     * LDAP over TLS. Contacts no LDAP server.
     *
     * @throws IOException when the file cannot be read or parsed; the message names the file
     */
    static IdentityBackend identityBackend(IdentityBackendConfig backend) throws IOException {
        return switch (backend) {
            case IdentityBackendConfig.Htpasswd htpasswd -> new HtpasswdBackend(htpasswd.path());
            case IdentityBackendConfig.Robots robots -> new RobotBackend(robots.path());
            case IdentityBackendConfig.Ldap ldap -> new LdapBackend(new LdapBackend.Settings(ldap.url(), ldap.startTls(), ldap.caCert(),
                    ldap.bindDn(), ldap.bindPassword(), ldap.userBase(), ldap.userFilter(), ldap.groupBase(), ldap.groupFilter(),
                    ldap.groupAttribute()));
        };
    }

    /** Returns the configured realm, else the token endpoint under {@code http.host}, else a placeholder filled in per request. */
    private static String realm(AuthConfig.Builtin config, HttpConfig http) {
        if (config.realm() != null) {
            return config.realm();
        }
        if (http.host() != null && !http.host().isEmpty()) {
            return http.host().replaceAll("/+$", "") + http.prefix() + "token";
        }
        return TokenServer.REALM_OF_REQUEST;
    }

    Authenticator authenticator() {
        return authenticator;
    }

    /** Returns the handler of {@code <prefix>token}, which declines every other path and records its requests in {@code metrics}. */
    Handler handler(ApiOptions options, AuditLog auditLog, Metrics metrics, Tracing tracing) {
        Urls urls = new Urls(options.prefix(), options.host(), options.relativeUrls(), options.trustedProxies());
        return new TokenHandler(tokens, urls, auditLog, new RequestRecorder(metrics.http(), tracing), clock);
    }
}
