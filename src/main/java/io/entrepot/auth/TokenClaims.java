package io.entrepot.auth;

import com.nimbusds.jwt.JWTClaimsSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The claims that the built-in token server adds to the registered JWT claims, so that the
 * registry can rebuild the {@link Principal} a token was issued to.
 */
public final class TokenClaims {

    /** The kind of account: {@code user}, {@code robot} or {@code anonymous}. */
    public static final String KIND = "kind";

    /** The account's groups, such as its LDAP groups; absent when it has none. */
    public static final String GROUPS = "groups";

    /** The OAuth2 client that a refresh token was issued to; recorded, not enforced, see {@link TokenServer#redeem}. */
    static final String CLIENT_ID = "client_id";

    /**
     * Suffix of a refresh token's audience: {@code <service>} plus this suffix. The registry
     * accepts only tokens whose audience is exactly its service, so it rejects a refresh token,
     * and the token server redeems only tokens with this audience, so it rejects an access token.
     */
    static final String REFRESH_AUDIENCE_SUFFIX = "#refresh";

    private TokenClaims() {}

    /** Adds the principal's kind and groups to {@code claims}. */
    static JWTClaimsSet.Builder withPrincipal(JWTClaimsSet.Builder claims, Principal principal) {
        claims.subject(principal.name()).claim(KIND, principal.kind().name().toLowerCase(Locale.ROOT));
        if (!principal.groups().isEmpty()) {
            claims.claim(GROUPS, List.copyOf(principal.groups()));
        }
        return claims;
    }

    /**
     * Returns the principal a token names: its subject, and its kind and groups when the built-in
     * token server wrote them. A token from another server, without a kind, names a user, or the
     * anonymous principal when its subject is empty.
     */
    public static Principal principal(JWTClaimsSet claims) {
        String subject = claims.getSubject() == null ? "" : claims.getSubject();
        if (subject.isEmpty()) {
            return Principal.ANONYMOUS;
        }
        Principal.Kind kind = "robot".equals(claims.getClaim(KIND)) ? Principal.Kind.ROBOT : Principal.Kind.USER;
        Set<String> groups = new LinkedHashSet<>();
        if (claims.getClaim(GROUPS) instanceof List<?> values) {
            for (Object value : values) {
                if (value instanceof String group) {
                    groups.add(group);
                }
            }
        }
        return new Principal(subject, kind, groups);
    }
}
