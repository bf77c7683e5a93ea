package io.entrepot.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.entrepot.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.crypto.bcrypt.BCrypt;

/** A flood of failed logins against the htpasswd authenticator, on a clock the test moves. */
class HtpasswdAuthenticatorTest {

    private static final String RIGHT = basic("alice", "correct horse");

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private HtpasswdAuthenticator authenticator;

    @BeforeEach
    void load() throws Exception {
        Path file = Files.writeString(dir.resolve("htpasswd"), "alice:" + BCrypt.hashpw("correct horse", BCrypt.gensalt(4)) + "\n");
        authenticator = new HtpasswdAuthenticator("r", file, new LoginThrottle(5, Duration.ofMinutes(5), clock));
    }

    @Test
    void flood_blocksRightPasswordUntilWindowEnds() throws Exception {
        for (int i = 0; i < 5; i++) {
            String guess = basic("alice", "guess " + i);
            assertThatThrownBy(() -> authenticator.authorize(guess, "10.0.0.1", List.of()))
                    .isInstanceOfSatisfying(AuthenticationException.class,
                            e -> assertThat(e.reason()).isEqualTo(AuthenticationException.Reason.CREDENTIALS_INVALID));
        }

        assertThatThrownBy(() -> authenticator.authorize(RIGHT, "10.0.0.2", List.of()))
                .as("right password from another address while the user is blocked")
                .isInstanceOfSatisfying(AuthenticationException.class,
                        e -> assertThat(e.reason()).isEqualTo(AuthenticationException.Reason.TOO_MANY_FAILURES));
        clock.advance(Duration.ofMinutes(4));
        assertThatThrownBy(() -> authenticator.authorize(RIGHT, "10.0.0.1", List.of()))
                .as("still inside the window")
                .isInstanceOfSatisfying(AuthenticationException.class,
                        e -> assertThat(e.reason()).isEqualTo(AuthenticationException.Reason.TOO_MANY_FAILURES));

        clock.advance(Duration.ofMinutes(1));

        assertThat(authenticator.authorize(RIGHT, "10.0.0.1", List.of())).isEqualTo(Principal.user("alice"));
    }

    @Test
    void oneUsersTypos_otherUserOfSameAddressLogsIn() throws Exception {
        Path file = Files.writeString(dir.resolve("two"), "alice:" + BCrypt.hashpw("correct horse", BCrypt.gensalt(4)) + "\n"
                + "carol:" + BCrypt.hashpw("carol-pw", BCrypt.gensalt(4)) + "\n");
        HtpasswdAuthenticator shared = new HtpasswdAuthenticator("r", file, new LoginThrottle(3, Duration.ofMinutes(5), clock));
        for (int i = 0; i < 4; i++) {
            String typo = basic("carol", "typo " + i);
            assertThatThrownBy(() -> shared.authorize(typo, "10.0.0.1", List.of())).isInstanceOf(AuthenticationException.class);
        }

        assertThat(shared.authorize(RIGHT, "10.0.0.1", List.of())).isEqualTo(Principal.user("alice"));
    }

    @Test
    void passwordSpray_blocksAddress() throws Exception {
        for (int i = 0; i < 5 * LoginThrottle.ADDRESS_FACTOR; i++) {
            String spray = basic("user" + i, "Winter2026!");
            assertThatThrownBy(() -> authenticator.authorize(spray, "10.0.0.1", List.of())).isInstanceOf(AuthenticationException.class);
        }

        assertThatThrownBy(() -> authenticator.authorize(RIGHT, "10.0.0.1", List.of()))
                .isInstanceOfSatisfying(AuthenticationException.class,
                        e -> assertThat(e.reason()).isEqualTo(AuthenticationException.Reason.TOO_MANY_FAILURES));
        assertThat(authenticator.authorize(RIGHT, "10.0.0.2", List.of())).isEqualTo(Principal.user("alice"));
    }

    @Test
    void blockedUser_wrongPasswordsDoNotExtendWindow() throws Exception {
        for (int i = 0; i < 5; i++) {
            String guess = basic("alice", "guess " + i);
            assertThatThrownBy(() -> authenticator.authorize(guess, "10.0.0.1", List.of())).isInstanceOf(AuthenticationException.class);
        }
        clock.advance(Duration.ofMinutes(3));
        String late = basic("alice", "late guess");
        assertThatThrownBy(() -> authenticator.authorize(late, "10.0.0.1", List.of()))
                .isInstanceOfSatisfying(AuthenticationException.class,
                        e -> assertThat(e.reason()).isEqualTo(AuthenticationException.Reason.TOO_MANY_FAILURES));

        clock.advance(Duration.ofMinutes(2));

        assertThat(authenticator.authorize(RIGHT, "10.0.0.1", List.of())).isEqualTo(Principal.user("alice"));
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
