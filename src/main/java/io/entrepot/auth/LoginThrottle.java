package io.entrepot.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts failed logins per user name and per client address, and blocks a name that reached the
 * maximum, or an address that reached {@value #ADDRESS_FACTOR} times the maximum, until its
 * window ends.
 *
 * <p>The two limits differ because many people can share one address: a NAT, a CI runner, or a
 * proxy whose {@code http.trustedproxies} entry is missing. If the address were blocked after
 * the same count as a name, one user's typos would lock every other user of that address out.
 * A name is blocked at the maximum, and a blocked name's attempts are refused before they are
 * counted, so one name adds at most the maximum to its address within a window: the address
 * limit is reached only by failures spread over about {@value #ADDRESS_FACTOR} names or more.
 * That is what a tool that tries a few common passwords against many names (password spraying)
 * does, and what a tool that guesses names does, and both are stopped there.
 *
 * <p>Counting is by fixed window: the first failure opens a window of {@code window}, and every
 * failure within it is counted. A blocked user is rejected even with the right password, so
 * guessing cannot go on under one name from many addresses. Checking the block before the
 * password also spares the bcrypt work that a flood of attempts would otherwise cost.
 *
 * <p>Memory is bounded: when more than {@value #MAX_TRACKED} names and addresses are tracked,
 * expired windows are dropped, and if that is not enough, all counts are reset.
 */
public final class LoginThrottle {

    /** Upper bound on tracked names and addresses. Each entry takes an estimated 100 to 200 bytes. */
    static final int MAX_TRACKED = 100_000;

    /** How many times more failures an address is allowed than a user name. */
    public static final int ADDRESS_FACTOR = 10;

    private record Window(Instant start, int failures) {}

    private final int maxFailures;
    private final long addressLimit;
    private final Duration window;
    private final Clock clock;
    private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

    /**
     * @param maxFailures failures allowed per name within {@code window} ({@value #ADDRESS_FACTOR}
     *     times as many per address), or 0 to turn the throttle off
     */
    public LoginThrottle(int maxFailures, Duration window, Clock clock) {
        if (maxFailures < 0) {
            throw new IllegalArgumentException("maxFailures must not be negative: " + maxFailures);
        }
        this.maxFailures = maxFailures;
        this.addressLimit = (long) maxFailures * ADDRESS_FACTOR;
        this.window = window;
        this.clock = clock;
    }

    /** Returns whether {@code user} or {@code address} is blocked now. Either may be null. */
    public boolean blocked(String user, String address) {
        return maxFailures > 0 && (isBlocked(userKey(user), maxFailures)
                || isBlocked(addressKey(address), addressLimit));
    }

    /** Counts a failed login for {@code user} and {@code address}. Either may be null. */
    public void failed(String user, String address) {
        if (maxFailures == 0) {
            return;
        }
        if (windows.size() >= MAX_TRACKED) {
            evict();
        }
        count(userKey(user));
        count(addressKey(address));
    }

    /** Clears the count of {@code user} after a successful login. The address keeps its count. */
    public void succeeded(String user) {
        String key = userKey(user);
        if (key != null) {
            windows.remove(key);
        }
    }

    private boolean isBlocked(String key, long limit) {
        if (key == null) {
            return false;
        }
        Window current = windows.get(key);
        return current != null && !expired(current) && current.failures() >= limit;
    }

    private void count(String key) {
        if (key == null) {
            return;
        }
        windows.compute(key, (ignored, current) -> current == null || expired(current)
                ? new Window(clock.instant(), 1)
                : new Window(current.start(), current.failures() + 1));
    }

    private boolean expired(Window current) {
        return !clock.instant().isBefore(current.start().plus(window));
    }

    private void evict() {
        windows.values().removeIf(this::expired);
        if (windows.size() >= MAX_TRACKED) {
            windows.clear();
        }
    }

    private static String userKey(String user) {
        return user == null || user.isEmpty() ? null : "user:" + user;
    }

    private static String addressKey(String address) {
        return address == null || address.isEmpty() ? null : "address:" + address;
    }
}
