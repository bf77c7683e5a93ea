package io.entrepot.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.entrepot.testing.LdapTestServer;
import io.entrepot.testing.TestCertificates;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The LDAP identity backend against UnboundID's in-memory directory on loopback. */
class LdapBackendTest {

    @TempDir
    static Path dir;

    private static LdapTestServer ldap;

    @BeforeAll
    static void startDirectory() throws Exception {
        ldap = new LdapTestServer(dir);
    }

    @AfterAll
    static void stopDirectory() {
        if (ldap != null) {
            ldap.close();
        }
    }

    private static LdapBackend backend(String url, boolean startTls, Path caCert) throws IOException {
        return new LdapBackend(new LdapBackend.Settings(URI.create(url), startTls, caCert, LdapTestServer.SERVICE_DN,
                LdapTestServer.SERVICE_PASSWORD, LdapTestServer.USERS, "(uid=%s)", LdapTestServer.GROUPS, "(member=%s)", "cn"));
    }

    @Test
    void plainLdap_rightPassword_givesUserWithGroups() throws Exception {
        Optional<Principal> alice = backend(ldap.ldapUrl(), false, null).authenticate("alice", "alice-pw");

        assertThat(alice).hasValueSatisfying(principal -> {
            assertThat(principal.name()).isEqualTo("alice");
            assertThat(principal.kind()).isEqualTo(Principal.Kind.USER);
            assertThat(principal.groups()).containsExactlyInAnyOrder("developers", "admins");
        });
    }

    @Test
    void wrongOrEmptyPassword_orUnknownUser_fails() throws Exception {
        LdapBackend backend = backend(ldap.ldapUrl(), false, null);

        assertThat(backend.authenticate("alice", "bob-pw")).isEmpty();
        assertThat(backend.authenticate("alice", "")).isEmpty();
        assertThat(backend.authenticate("nobody", "alice-pw")).isEmpty();
    }

    @Test
    void filterCharactersInUserName_areEscaped() throws Exception {
        LdapBackend backend = backend(ldap.ldapUrl(), false, null);

        // Unescaped, "*" would match every user and "a*)(uid=*" would rewrite the filter.
        assertThat(backend.authenticate("*", "alice-pw")).isEmpty();
        assertThat(backend.authenticate("a*", "alice-pw")).isEmpty();
        assertThat(backend.authenticate("alice)(uid=*", "alice-pw")).isEmpty();
        assertThat(backend.authenticate("star*", "star-pw")).hasValueSatisfying(principal -> assertThat(principal.name()).isEqualTo("star*"));
    }

    @Test
    void startTls_withCaCert_authenticates() throws Exception {
        assertThat(backend(ldap.ldapUrl(), true, ldap.caFile()).authenticate("bob", "bob-pw"))
                .hasValueSatisfying(principal -> assertThat(principal.groups()).containsExactly("developers"));
    }

    @Test
    void ldaps_withCaCert_authenticates() throws Exception {
        assertThat(backend(ldap.ldapsUrl(), false, ldap.caFile()).authenticate("alice", "alice-pw")).isPresent();
    }

    @Test
    void tls_withUntrustedCertificate_isUnavailable() throws Exception {
        Path otherCa = TestCertificates.write(dir.resolve("other-ca.crt"), TestCertificates.pem(TestCertificates.newCa("other").caCertificate()));

        IOException ldaps = catchThrowableOfType(IOException.class, () -> backend(ldap.ldapsUrl(), false, otherCa).authenticate("alice", "alice-pw"));
        IOException startTls = catchThrowableOfType(IOException.class, () -> backend(ldap.ldapUrl(), true, otherCa).authenticate("alice", "alice-pw"));

        assertThat(ldaps).hasMessageContaining("LDAP server " + ldap.ldapsUrl() + " failed");
        assertThat(startTls).hasMessageContaining("LDAP server " + ldap.ldapUrl() + " failed");
    }

    @Test
    void wrongServicePassword_isUnavailable() throws Exception {
        LdapBackend backend = new LdapBackend(new LdapBackend.Settings(URI.create(ldap.ldapUrl()), false, null, LdapTestServer.SERVICE_DN,
                "wrong", LdapTestServer.USERS, "(uid=%s)", null, "(member=%s)", "cn"));

        IOException failure = catchThrowableOfType(IOException.class, () -> backend.authenticate("alice", "alice-pw"));

        assertThat(failure).hasMessageContaining("invalid credentials");
    }

    @Test
    void lookup_userGroupsAndRemovedUser() throws Exception {
        LdapBackend backend = backend(ldap.ldapUrl(), false, null);
        ldap.addUser("carol", "carol-pw");

        assertThat(backend.lookup("carol")).isPresent();
        ldap.removeUser("carol");
        assertThat(backend.lookup("carol")).isEmpty();
        assertThat(backend.lookup("bob")).hasValueSatisfying(principal -> assertThat(principal.groups()).containsExactly("developers"));
    }

    @Test
    void settings_neverShowBindPassword() throws Exception {
        assertThat(new LdapBackend.Settings(URI.create(ldap.ldapUrl()), false, null, "cn=x", "very-secret", "ou=p", "(uid=%s)", null,
                "(member=%s)", "cn").toString()).doesNotContain("very-secret");
    }

    @Test
    void robotNames_areNotForLdap() throws Exception {
        assertThat(backend(ldap.ldapUrl(), false, null).accepts("robot_ci")).isFalse();
    }
}
