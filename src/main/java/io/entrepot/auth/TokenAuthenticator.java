package io.entrepot.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code auth.token}: Docker's token authentication. Clients fetch a JWT from the token server at
 * {@code realm} and send it as {@code Authorization: Bearer <token>}; the registry checks that a
 * trusted key signed it, that it is current, that it was issued by {@code issuer} for
 * {@code service}, and that its {@code access} claim grants every action the request needs.
 *
 * <p>Only asymmetric signatures are accepted (RS*, PS*, ES*). {@code alg: none} is not a signed
 * token at all, and HMAC is refused so that a public key can never be used as a shared secret.
 */
public final class TokenAuthenticator implements Authenticator {

    /** Distribution allows clocks to differ by up to a minute between token server and registry. */
    static final Duration LEEWAY = Duration.ofSeconds(60);

    private static final Set<JWSAlgorithm> ALGORITHMS = Set.of(
            JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512,
            JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);

    private final String realm;
    private final String service;
    private final String issuer;
    private final TrustedKeys keys;
    private final Clock clock;
    private final DefaultJWSVerifierFactory verifiers = new DefaultJWSVerifierFactory();

    /**
     * @throws IOException when the root certificate bundle or JWKS file cannot be read or contains no key
     */
    public TokenAuthenticator(String realm, String service, String issuer, Path rootCertBundle, Path jwks, Clock clock) throws IOException {
        this(realm, service, issuer, TrustedKeys.load(rootCertBundle, jwks), clock);
    }

    /**
     * Verifies the tokens of the built-in token server, signed by {@code signingKey}.
     *
     * @param realm the URL of the token endpoint, or {@link TokenServer#REALM_OF_REQUEST} to
     *     have the HTTP layer derive it from each request
     */
    public TokenAuthenticator(String realm, String service, String issuer, PublicKey signingKey, Clock clock) {
        this(realm, service, issuer, TrustedKeys.of(signingKey), clock);
    }

    private TokenAuthenticator(String realm, String service, String issuer, TrustedKeys keys, Clock clock) {
        this.realm = realm;
        this.service = service;
        this.issuer = issuer;
        this.keys = keys;
        this.clock = clock;
    }

    @Override
    public Principal authorize(String authorization, String clientAddress, List<Access> required) throws AuthenticationException {
        String token = bearerToken(authorization);
        if (token == null) {
            throw failure(AuthenticationException.Reason.CREDENTIALS_MISSING, "authentication required", null, null, required);
        }
        JWTClaimsSet claims;
        try {
            claims = verify(token);
        } catch (InvalidTokenException e) {
            throw failure(AuthenticationException.Reason.CREDENTIALS_INVALID, e.getMessage(), e.subject, "invalid_token", required);
        }
        Principal principal = principal(claims);
        String subject = principal.name();
        List<Access> missing = missingAccess(claims, required);
        if (!missing.isEmpty()) {
            Access first = missing.get(0);
            throw failure(AuthenticationException.Reason.INSUFFICIENT_SCOPE, "token does not grant " + first.action() + " on "
                    + first.type() + " " + first.name(), subject, "insufficient_scope", required);
        }
        return principal;
    }

    /**
     * Builds the principal from {@code sub} and, when present, the {@code kind} and {@code groups}
     * claims that Entrepot's built-in token server writes. A token without a subject is anonymous,
     * as token servers issue for public repositories.
     */
    static Principal principal(JWTClaimsSet claims) {
        String subject = claims.getSubject();
        if (subject == null || subject.isEmpty()) {
            return Principal.ANONYMOUS;
        }
        Principal.Kind kind = "robot".equals(claims.getClaim("kind")) ? Principal.Kind.ROBOT : Principal.Kind.USER;
        Set<String> groups = new java.util.LinkedHashSet<>();
        if (claims.getClaim("groups") instanceof List<?> names) {
            for (Object name : names) {
                if (name instanceof String group && !group.isEmpty()) {
                    groups.add(group);
                }
            }
        }
        return new Principal(subject, kind, groups);
    }

    private static String bearerToken(String authorization) {
        if (authorization == null) {
            return null;
        }
        int space = authorization.indexOf(' ');
        if (space < 0 || !authorization.substring(0, space).equalsIgnoreCase("Bearer")) {
            return null;
        }
        String token = authorization.substring(space + 1).strip();
        return token.isEmpty() ? null : token;
    }

    /** Checks signature, issuer, audience and validity period; returns the claims when all hold. */
    private JWTClaimsSet verify(String token) throws InvalidTokenException {
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(token);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            // Also the outcome for alg "none", whose token has no signature part to parse.
            throw new InvalidTokenException("invalid token: not a signed JWT", null);
        }
        String subject = claims.getSubject();

        JWSHeader header = jwt.getHeader();
        if (!ALGORITHMS.contains(header.getAlgorithm())) {
            throw new InvalidTokenException("token signature algorithm " + header.getAlgorithm() + " is not accepted", subject);
        }
        PublicKey key = keys.byKeyId(header.getKeyID());
        if (key == null) {
            key = keys.byCertificateChain(header.getX509CertChain());
        }
        if (key == null) {
            throw new InvalidTokenException("token signed by an untrusted key", subject);
        }
        if (!signatureValid(jwt, key)) {
            throw new InvalidTokenException("invalid token signature", subject);
        }

        if (!issuer.equals(claims.getIssuer())) {
            throw new InvalidTokenException("token issued by " + claims.getIssuer() + ", expected " + issuer, subject);
        }
        if (claims.getAudience() == null || !claims.getAudience().contains(service)) {
            throw new InvalidTokenException("token is not meant for service " + service, subject);
        }
        checkValidity(claims, subject);
        return claims;
    }

    private boolean signatureValid(SignedJWT jwt, PublicKey key) {
        try {
            JWSVerifier verifier = verifiers.createJWSVerifier(jwt.getHeader(), key);
            return jwt.verify(verifier);
        } catch (JOSEException e) {
            // A key of the wrong type for the algorithm, such as an EC key for RS256.
            return false;
        }
    }

    private void checkValidity(JWTClaimsSet claims, String subject) throws InvalidTokenException {
        Instant now = clock.instant();
        Date expiry = claims.getExpirationTime();
        if (expiry == null || now.isAfter(expiry.toInstant().plus(LEEWAY))) {
            throw new InvalidTokenException(expiry == null ? "token has no expiry time" : "token expired at " + expiry.toInstant(), subject);
        }
        Date notBefore = claims.getNotBeforeTime();
        if (notBefore != null && now.isBefore(notBefore.toInstant().minus(LEEWAY))) {
            throw new InvalidTokenException("token is not valid before " + notBefore.toInstant(), subject);
        }
    }

    /** Returns the required accesses that the {@code access} claim does not grant. */
    private static List<Access> missingAccess(JWTClaimsSet claims, List<Access> required) {
        Object claim = claims.getClaim("access");
        List<Access> missing = new ArrayList<>();
        for (Access access : required) {
            if (!granted(claim, access)) {
                missing.add(access);
            }
        }
        return missing;
    }

    private static boolean granted(Object claim, Access access) {
        if (!(claim instanceof List<?> entries)) {
            return false;
        }
        for (Object entry : entries) {
            if (entry instanceof Map<?, ?> resource
                    && access.type().equals(resource.get("type"))
                    && access.name().equals(resource.get("name"))
                    && resource.get("actions") instanceof List<?> actions
                    && (actions.contains(access.action()) || actions.contains("*"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Returns the {@code Bearer} challenge: realm, service and the scopes the request needs, one
     * per resource with its actions joined by commas, as token servers expect them.
     */
    private String challenge(List<Access> required, String error) {
        Map<String, List<String>> scopes = new LinkedHashMap<>();
        for (Access access : required) {
            scopes.computeIfAbsent(access.type() + ":" + access.name(), resource -> new ArrayList<>()).add(access.action());
        }
        StringBuilder challenge = new StringBuilder("Bearer realm=\"").append(realm).append("\",service=\"").append(service).append('"');
        if (!scopes.isEmpty()) {
            List<String> parts = new ArrayList<>();
            scopes.forEach((resource, actions) -> parts.add(resource + ":" + String.join(",", actions)));
            challenge.append(",scope=\"").append(String.join(" ", parts)).append('"');
        }
        if (error != null) {
            challenge.append(",error=\"").append(error).append('"');
        }
        return challenge.toString();
    }

    private AuthenticationException failure(AuthenticationException.Reason reason, String message, String user, String error,
            List<Access> required) {
        return new AuthenticationException(reason, message, user, challenge(required, error), required);
    }

    /** A token that fails a check, with the subject it claims when it could be read. */
    private static final class InvalidTokenException extends Exception {

        private static final long serialVersionUID = 1L;

        private final transient String subject;

        InvalidTokenException(String message, String subject) {
            super(message);
            this.subject = subject;
        }
    }
}
