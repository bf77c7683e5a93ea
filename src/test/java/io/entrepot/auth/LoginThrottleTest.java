package io.entrepot.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrepot.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final LoginThrottle throttle = new LoginThrottle(3, Duration.ofMinutes(5), clock);

    @Test
    void user_blockedAfterMaxFailuresFromAnyAddress() {
        throttle.failed("alice", "10.0.0.1");
        throttle.failed("alice", "10.0.0.2");
        assertThat(throttle.blocked("alice", "10.0.0.9")).isFalse();

        throttle.failed("alice", "10.0.0.3");

        assertThat(throttle.blocked("alice", "10.0.0.9")).isTrue();
        assertThat(throttle.blocked("bob", "10.0.0.9")).isFalse();
    }

    @Test
    void oneUsersTypos_otherUserOfSameAddressNotBlocked() {
        // Several users behind one NAT address: carol's typos must not lock alice out.
        for (int i = 0; i < 3; i++) {
            throttle.failed("carol", "10.0.0.1");
        }

        assertThat(throttle.blocked("carol", "10.0.0.1")).isTrue();
        assertThat(throttle.blocked("alice", "10.0.0.1")).isFalse();
    }

    @Test
    void address_blockedAfterFailuresSpreadOverManyNames() {
        int addressLimit = 3 * LoginThrottle.ADDRESS_FACTOR;
        for (int i = 0; i < addressLimit - 1; i++) {
            // A spraying tool: one or two passwords for each of many names.
            throttle.failed("user" + (i / 2), "10.0.0.1");
        }
        assertThat(throttle.blocked("alice", "10.0.0.1")).isFalse();

        throttle.failed(null, "10.0.0.1");

        assertThat(throttle.blocked("alice", "10.0.0.1")).isTrue();
        assertThat(throttle.blocked(null, "10.0.0.1")).isTrue();
        assertThat(throttle.blocked("alice", "10.0.0.2")).isFalse();
    }

    @Test
    void hugeMaximum_addressLimitDoesNotOverflow() {
        LoginThrottle large = new LoginThrottle(Integer.MAX_VALUE, Duration.ofMinutes(5), clock);
        large.failed(null, "10.0.0.1");

        assertThat(large.blocked(null, "10.0.0.1")).isFalse();
    }

    @Test
    void block_endsWithWindow() {
        for (int i = 0; i < 3; i++) {
            throttle.failed("alice", "10.0.0.1");
        }
        for (int i = 3; i < 3 * LoginThrottle.ADDRESS_FACTOR; i++) {
            throttle.failed(null, "10.0.0.1");
        }

        clock.advance(Duration.ofMinutes(4));
        assertThat(throttle.blocked("alice", null)).isTrue();
        assertThat(throttle.blocked(null, "10.0.0.1")).isTrue();
        clock.advance(Duration.ofMinutes(1));
        assertThat(throttle.blocked("alice", null)).isFalse();
        assertThat(throttle.blocked(null, "10.0.0.1")).isFalse();
    }

    @Test
    void success_clearsUserButNotAddress() {
        LoginThrottle strict = new LoginThrottle(1, Duration.ofMinutes(5), clock);
        int addressLimit = LoginThrottle.ADDRESS_FACTOR;
        for (int i = 0; i < addressLimit; i++) {
            strict.failed("alice", "10.0.0.1");
            strict.succeeded("alice");
        }

        assertThat(strict.blocked("alice", null)).isFalse();
        assertThat(strict.blocked(null, "10.0.0.1")).isTrue();
    }

    @Test
    void zeroMaximum_neverBlocks() {
        LoginThrottle off = new LoginThrottle(0, Duration.ZERO, clock);
        for (int i = 0; i < 100; i++) {
            off.failed("alice", "10.0.0.1");
        }

        assertThat(off.blocked("alice", "10.0.0.1")).isFalse();
    }

    @Test
    void manyAddresses_memoryStaysBounded() {
        LoginThrottle large = new LoginThrottle(1_000, Duration.ofMinutes(5), clock);
        for (int i = 0; i < LoginThrottle.MAX_TRACKED + 10; i++) {
            large.failed(null, "address-" + i);
        }

        assertThat(large.blocked(null, "address-" + (LoginThrottle.MAX_TRACKED + 9))).isFalse();
    }
}
