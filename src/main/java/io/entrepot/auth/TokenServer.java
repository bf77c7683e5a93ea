package io.entrepot.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The built-in token server of Docker's token authentication: checks credentials against the
 * identity backends, gets from the {@link AccessPolicy} which of the requested scopes the account
 * holds, and signs a short-lived access token that grants those, with an optional long-lived
 * refresh token. The HTTP side is {@code io.entrepot.http.TokenHandler}.
 *
 * <p>Failed logins go through the {@link LoginThrottle}, per user and per client address. A
 * backend that cannot be asked (LDAP down) makes the login fail as unavailable, which does not
 * count as a failed login, so an outage does not lock everyone out afterwards.
 */
public final class TokenServer {

    /**
     * Stands for the realm in a challenge when {@code auth.builtin.realm} and {@code http.host}
     * are unset: the HTTP layer replaces it with the token endpoint's URL on the scheme and host
     * the request came in on, because clients need an absolute realm URL.
     */
    public static final String REALM_OF_REQUEST = "entrepot-realm-of-request";

    /**
     * @param service the service name clients must request, which is every access token's audience
     * @param issuer the {@code iss} of every token
     * @param expiration the lifetime of an access token
     * @param refreshExpiration the lifetime of a refresh token; zero issues none
     */
    public record Settings(String service, String issuer, Duration expiration, Duration refreshExpiration) {}

    /**
     * A signed access token, with a refresh token when one was requested and may be issued.
     *
     * @param granted the accesses the token grants, a subset of those requested
     * @param refreshToken null when none was requested or none may be issued
     */
    public record Issued(String token, Instant issuedAt, Duration expiresIn, List<Access> granted, String refreshToken) {}

    private final Settings settings;
    private final SigningKey key;
    private final List<IdentityBackend> backends;
    private final AccessPolicy policy;
    private final LoginThrottle throttle;
    private final Clock clock;
    private final JWSVerifier verifier;

    /**
     * @param backends the identity backends, tried in this order
     * @param policy decides which requested accesses go into a token
     */
    public TokenServer(Settings settings, SigningKey key, List<IdentityBackend> backends, AccessPolicy policy, LoginThrottle throttle,
            Clock clock) {
        this.settings = settings;
        this.key = key;
        this.backends = List.copyOf(backends);
        this.policy = policy;
        this.throttle = throttle;
        this.clock = clock;
        try {
            this.verifier = new DefaultJWSVerifierFactory().createJWSVerifier(
                    new com.nimbusds.jose.JWSHeader(key.algorithm()), key.publicKey());
        } catch (JOSEException e) {
            throw new IllegalStateException("no verifier for the " + key.algorithm() + " signing key", e);
        }
    }

    public Settings settings() {
        return settings;
    }

    /**
     * Checks that a request names this server's service.
     *
     * @throws TokenRequestException when {@code service} is missing or names another service
     */
    public void checkService(String service) throws TokenRequestException {
        if (service == null || service.isEmpty()) {
            throw TokenRequestException.invalidRequest("missing service parameter; this token server issues tokens for service "
                    + settings.service());
        }
        if (!service.equals(settings.service())) {
            throw TokenRequestException.invalidRequest("unknown service " + service + "; this token server issues tokens for service "
                    + settings.service());
        }
    }

    /**
     * Returns the account that {@code user} and {@code password} prove, from the first backend
     * that accepts them.
     *
     * @throws TokenRequestException when the client is blocked after too many failures, when
     *     the credentials are wrong, or when no backend could be asked
     */
    public Principal login(String user, String password, String clientAddress) throws TokenRequestException {
        // Checked before the password, so that a blocked client costs no bcrypt or LDAP work.
        if (throttle.blocked(user, clientAddress)) {
            throw new TokenRequestException(TokenRequestException.Kind.TOO_MANY_FAILURES,
                    "too many failed logins; wait a few minutes before trying again", user);
        }
        IOException unavailable = null;
        for (IdentityBackend backend : backends) {
            if (!backend.accepts(user)) {
                continue;
            }
            try {
                Optional<Principal> principal = backend.authenticate(user, password);
                if (principal.isPresent()) {
                    throttle.succeeded(user);
                    return principal.get();
                }
            } catch (IOException e) {
                unavailable = e;
            }
        }
        if (unavailable != null) {
            throw new TokenRequestException(TokenRequestException.Kind.BACKEND_UNAVAILABLE,
                    "cannot check credentials now: " + unavailable.getMessage() + "; try again later", user);
        }
        throttle.failed(user, clientAddress);
        throw new TokenRequestException(TokenRequestException.Kind.INVALID_CREDENTIALS, "invalid user name or password", user);
    }

    /**
     * Returns the account that a refresh token was issued to, as the backends hold it now.
     *
     * <p>The token is not bound to the OAuth2 client it was issued to: docker stores it in an auth
     * file that podman, skopeo and buildah also read, and they redeem it as client
     * {@code containers/image}, so a binding would break the shared login.
     *
     * @throws TokenRequestException when the token is invalid, expired, not a refresh token, or
     *     its account no longer exists
     */
    public Principal redeem(String refreshToken, String clientAddress) throws TokenRequestException {
        if (throttle.blocked(null, clientAddress)) {
            throw new TokenRequestException(TokenRequestException.Kind.TOO_MANY_FAILURES,
                    "too many failed logins; wait a few minutes before trying again", null);
        }
        JWTClaimsSet claims;
        try {
            claims = verifyRefreshToken(refreshToken);
        } catch (TokenRequestException e) {
            throttle.failed(e.user(), clientAddress);
            throw e;
        }
        String subject = claims.getSubject();
        Optional<Principal> principal = lookup(subject);
        if (principal.isEmpty()) {
            throttle.failed(subject, clientAddress);
            throw new TokenRequestException(TokenRequestException.Kind.INVALID_CREDENTIALS,
                    "account " + subject + " of the refresh token no longer exists", subject);
        }
        return principal.get();
    }

    private JWTClaimsSet verifyRefreshToken(String token) throws TokenRequestException {
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(token);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw invalidGrant("invalid refresh token: not a signed JWT", null);
        }
        String subject = claims.getSubject();
        if (!key.algorithm().equals(jwt.getHeader().getAlgorithm()) || !signatureValid(jwt)) {
            throw invalidGrant("invalid refresh token: not signed by this token server", subject);
        }
        if (!settings.issuer().equals(claims.getIssuer()) || claims.getAudience() == null
                || !claims.getAudience().contains(refreshAudience())) {
            throw invalidGrant("invalid refresh token: not a refresh token of service " + settings.service(), subject);
        }
        Date expiry = claims.getExpirationTime();
        if (expiry == null || !clock.instant().isBefore(expiry.toInstant())) {
            throw invalidGrant("refresh token expired" + (expiry == null ? "" : " at " + expiry.toInstant()) + "; log in again", subject);
        }
        if (subject == null || subject.isEmpty()) {
            throw invalidGrant("invalid refresh token: no subject", null);
        }
        return claims;
    }

    private boolean signatureValid(SignedJWT jwt) {
        try {
            return jwt.verify(verifier);
        } catch (JOSEException e) {
            return false;
        }
    }

    private Optional<Principal> lookup(String user) throws TokenRequestException {
        IOException unavailable = null;
        for (IdentityBackend backend : backends) {
            if (!backend.accepts(user)) {
                continue;
            }
            try {
                Optional<Principal> principal = backend.lookup(user);
                if (principal.isPresent()) {
                    return principal;
                }
            } catch (IOException e) {
                unavailable = e;
            }
        }
        if (unavailable != null) {
            throw new TokenRequestException(TokenRequestException.Kind.BACKEND_UNAVAILABLE,
                    "cannot check the account now: " + unavailable.getMessage() + "; try again later", user);
        }
        return Optional.empty();
    }

    /**
     * Signs an access token for {@code principal} with the requested accesses that the policy
     * grants, and a refresh token when {@code offline} is set, the account is not anonymous and
     * refresh tokens are enabled.
     *
     * @param clientId the OAuth2 client that asked, recorded in the refresh token, or null
     */
    public Issued issue(Principal principal, Collection<Access> requested, boolean offline, String clientId) {
        Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        List<Access> granted = List.copyOf(policy.granted(principal, requested));
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .issuer(settings.issuer())
                .audience(settings.service())
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plus(settings.expiration())))
                .jwtID(UUID.randomUUID().toString())
                .claim("access", accessClaim(granted));
        String token = key.sign(TokenClaims.withPrincipal(claims, principal).build());

        String refreshToken = null;
        if (offline && !principal.anonymous() && settings.refreshExpiration().isPositive()) {
            JWTClaimsSet.Builder refresh = new JWTClaimsSet.Builder()
                    .issuer(settings.issuer())
                    .audience(refreshAudience())
                    .issueTime(Date.from(now))
                    .expirationTime(Date.from(now.plus(settings.refreshExpiration())))
                    .jwtID(UUID.randomUUID().toString());
            if (clientId != null && !clientId.isEmpty()) {
                refresh.claim(TokenClaims.CLIENT_ID, clientId);
            }
            refreshToken = key.sign(TokenClaims.withPrincipal(refresh, principal).build());
        }
        return new Issued(token, now, settings.expiration(), granted, refreshToken);
    }

    private String refreshAudience() {
        return settings.service() + TokenClaims.REFRESH_AUDIENCE_SUFFIX;
    }

    /** Returns the {@code access} claim: one entry per resource, with its granted actions. */
    private static List<Map<String, Object>> accessClaim(List<Access> granted) {
        Map<String, Map<String, Object>> byResource = new LinkedHashMap<>();
        for (Access access : granted) {
            Map<String, Object> entry = byResource.computeIfAbsent(access.type() + ":" + access.name(), resource -> {
                Map<String, Object> created = new LinkedHashMap<>();
                created.put("type", access.type());
                created.put("name", access.name());
                created.put("actions", new ArrayList<String>());
                return created;
            });
            @SuppressWarnings("unchecked")
            List<String> actions = (List<String>) entry.get("actions");
            actions.add(access.action());
        }
        return new ArrayList<>(byResource.values());
    }

    private static TokenRequestException invalidGrant(String message, String user) {
        return new TokenRequestException(TokenRequestException.Kind.INVALID_CREDENTIALS, message, user);
    }
}
