package io.entrepot.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts failed logins per user name and per client address, and blocks a name or address that
 * reached the maximum until its window ends.
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

    private record Window(Instant start, int failures) {}

    private final int maxFailures;
    private final Duration window;
    private final Clock clock;
    private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

    /**
     * @param maxFailures failures allowed per name or address within {@code window}, or 0 to
     *     turn the throttle off
     */
    public LoginThrottle(int maxFailures, Duration window, Clock clock) {
        if (maxFailures < 0) {
            throw new IllegalArgumentException("maxFailures must not be negative: " + maxFailures);
        }
        this.maxFailures = maxFailures;
        this.window = window;
        this.clock = clock;
    }

    /** Returns whether {@code user} or {@code address} is blocked now. Either may be null. */
    public boolean blocked(String user, String address) {
        return maxFailures > 0 && (isBlocked(userKey(user)) || isBlocked(addressKey(address)));
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

    private boolean isBlocked(String key) {
        if (key == null) {
            return false;
        }
        Window current = windows.get(key);
        return current != null && !expired(current) && current.failures() >= maxFailures;
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
