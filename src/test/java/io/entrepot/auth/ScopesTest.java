package io.entrepot.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.entrepot.registry.RepositoryName;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScopesTest {

    @Test
    void repositoryScope_givesOneAccessPerAction() throws Exception {
        assertThat(Scopes.parse(List.of("repository:team/app:pull,push")))
                .containsExactly(Access.pull("team/app"), Access.push("team/app"));
    }

    @Test
    void unknownTypeOrAction_isParsed() throws Exception {
        // The parser keeps them, and the access policy grants none, so the token server leaves them out.
        assertThat(Scopes.parse(List.of("plugin:vendor:x:pull", "repository:team/app:frobnicate")))
                .containsExactly(new Access("plugin", "vendor:x", "pull"), new Access("repository", "team/app", "frobnicate"));
    }

    @Test
    void invalidRepositoryName_rejectedWithName() {
        // Each name fails RepositoryName's grammar, so no API path could ever use the requested access.
        List<String> names = List.of("Team-A/app", "team-a/App", "TEAM/app", "localhost:5000/team/app", "team-a//app", "/team/app",
                "team/app/", "team/-app", "team/app-", "team/a..b", "team/a___b", "team/\u00e9t\u00e9", "team/app%20x",
                "a".repeat(RepositoryName.MAX_LENGTH + 1));
        for (String name : names) {
            String scope = "repository:" + name + ":pull";
            TokenRequestException rejected = catchThrowableOfType(TokenRequestException.class, () -> Scopes.parse(List.of(scope)));

            assertThat(rejected).as(name).isNotNull();
            assertThat(rejected.kind()).as(name).isEqualTo(TokenRequestException.Kind.INVALID_REQUEST);
            assertThat(rejected.getMessage()).as(name).contains("invalid repository name \"" + name + "\"");
        }
    }

    @Test
    void catalogScope_isParsed() throws Exception {
        assertThat(Scopes.parse(List.of("registry:catalog:*"))).containsExactly(Access.catalog());
    }

    @Test
    void typeClass_isDropped() throws Exception {
        assertThat(Scopes.parse(List.of("repository(plugin):team/app:pull"))).containsExactly(Access.pull("team/app"));
    }

    @Test
    void multipleScopes_areAllRead() throws Exception {
        assertThat(Scopes.parse(List.of("repository:a:pull repository:b:push", "registry:catalog:*")))
                .containsExactly(Access.pull("a"), Access.push("b"), Access.catalog());
    }

    @Test
    void repeatedAction_isKeptOnce() throws Exception {
        assertThat(Scopes.parse(List.of("repository:a:pull,pull"))).containsExactly(Access.pull("a"));
    }

    @Test
    void malformedScopes_areRejectedNamingTheScope() {
        List<String> malformed = List.of(
                "repository", "repository:team/app", ":team/app:pull", "repository::pull", "repository:team/app:",
                "repository:team/app:pull,", "repository:Team/App:pull", "repository:team//app:pull", "repository:../etc:pull",
                "REPOSITORY:team/app:pull", "repository:team/app:pull;rm");
        for (String scope : malformed) {
            TokenRequestException rejected = catchThrowableOfType(TokenRequestException.class, () -> Scopes.parse(List.of(scope)));

            assertThat(rejected).as(scope).isNotNull();
            assertThat(rejected.kind()).as(scope).isEqualTo(TokenRequestException.Kind.INVALID_REQUEST);
            assertThat(rejected.getMessage()).as(scope).contains("invalid scope " + scope);
        }
    }

    @Test
    void tooManyScopes_areRejected() {
        List<String> scopes = Collections.nCopies(Scopes.MAX_SCOPES + 1, "repository:a:pull");

        TokenRequestException rejected = catchThrowableOfType(TokenRequestException.class, () -> Scopes.parse(scopes));

        assertThat(rejected.getMessage()).contains("too many scopes: 101");
    }
}
