package io.entrepot.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.JWTClaimsSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The principal that {@link TokenAuthenticator} reads from a token's claims. */
class TokenPrincipalTest {

    @Test
    void subjectOnly_isUserWithoutGroups() {
        Principal principal = TokenAuthenticator.principal(new JWTClaimsSet.Builder().subject("alice").build());

        assertThat(principal).isEqualTo(Principal.user("alice"));
    }

    @Test
    void kindAndGroups_areRead() {
        Principal robot = TokenAuthenticator.principal(new JWTClaimsSet.Builder().subject("ci").claim("kind", "robot").build());
        Principal member = TokenAuthenticator.principal(new JWTClaimsSet.Builder().subject("bob")
                .claim("groups", List.of("team-a", "", "staff")).build());

        assertThat(robot.kind()).isEqualTo(Principal.Kind.ROBOT);
        assertThat(robot.name()).isEqualTo("ci");
        assertThat(member.kind()).isEqualTo(Principal.Kind.USER);
        assertThat(member.groups()).containsExactlyInAnyOrder("team-a", "staff");
    }

    @Test
    void unknownKindOrMalformedGroups_fallBackToUser() {
        Principal principal = TokenAuthenticator.principal(new JWTClaimsSet.Builder().subject("bob")
                .claim("kind", "admin").claim("groups", "team-a").build());

        assertThat(principal).isEqualTo(Principal.user("bob"));
    }

    @Test
    void noSubject_isAnonymous() {
        assertThat(TokenAuthenticator.principal(new JWTClaimsSet.Builder().build())).isEqualTo(Principal.ANONYMOUS);
        assertThat(TokenAuthenticator.principal(new JWTClaimsSet.Builder().subject("").build())).isEqualTo(Principal.ANONYMOUS);
    }
}
