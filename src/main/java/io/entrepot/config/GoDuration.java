package io.entrepot.config;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Map;

/**
 * Durations written in Go's {@code time.ParseDuration} syntax, which distribution's config.yml uses:
 * a sequence of decimal numbers, each with a unit, such as {@code 168h}, {@code 1h30m},
 * {@code 1.5s} or {@code 500ms}. The units are ns, us (or µs), ms, s, m and h, and a bare
 * {@code 0} means zero.
 *
 * <p>Unlike Go, a negative duration is rejected, because no configuration key takes one.
 */
public final class GoDuration {

    private static final Map<String, Long> NANOS_PER_UNIT = Map.of(
            "ns", 1L,
            "us", 1_000L,
            "µs", 1_000L, // U+00B5 MICRO SIGN
            "μs", 1_000L, // U+03BC GREEK SMALL LETTER MU
            "ms", 1_000_000L,
            "s", 1_000_000_000L,
            "m", 60_000_000_000L,
            "h", 3_600_000_000_000L);

    private static final BigDecimal MAX_NANOS = BigDecimal.valueOf(Long.MAX_VALUE);

    private GoDuration() {}

    /** A duration string that does not follow Go's syntax. The message names the value and {@link #reason()} does not. */
    public static final class InvalidDurationException extends IllegalArgumentException {
        private final String reason;

        InvalidDurationException(String text, String reason) {
            super("invalid duration \"" + text + "\": " + reason);
            this.reason = reason;
        }

        /** Returns what is wrong with the value, without the value itself, such as {@code must not be negative}. */
        public String reason() {
            return reason;
        }
    }

    /**
     * Parses a Go duration string.
     *
     * @throws InvalidDurationException if {@code text} is empty, negative, lacks a unit, has an
     *     unknown unit or exceeds about 292 years (the range of Go's {@code time.Duration})
     */
    public static Duration parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new InvalidDurationException("", "empty, expected a number and a unit such as 10s or 1h30m");
        }
        if (text.startsWith("-")) {
            throw new InvalidDurationException(text, "must not be negative");
        }
        String body = text.startsWith("+") ? text.substring(1) : text;
        if (body.equals("0")) {
            return Duration.ZERO;
        }
        if (body.isEmpty()) {
            throw new InvalidDurationException(text, "expected a number and a unit such as 10s or 1h30m");
        }

        BigDecimal totalNanos = BigDecimal.ZERO;
        int position = 0;
        while (position < body.length()) {
            int numberEnd = skipNumber(body, position);
            String number = body.substring(position, numberEnd);
            int unitEnd = skipUnit(body, numberEnd);
            String unit = body.substring(numberEnd, unitEnd);

            if (number.isEmpty() || number.equals(".") || number.indexOf('.') != number.lastIndexOf('.')) {
                throw new InvalidDurationException(text, "expected a number before \"" + body.substring(position, unitEnd) + "\"");
            }
            if (unit.isEmpty()) {
                throw new InvalidDurationException(text, "missing unit after " + number + ", such as " + number + "s or " + number + "m");
            }
            Long nanosPerUnit = NANOS_PER_UNIT.get(unit);
            if (nanosPerUnit == null) {
                throw new InvalidDurationException(text, "unknown unit \"" + unit + "\", expected ns, us, ms, s, m or h");
            }
            totalNanos = totalNanos.add(new BigDecimal(number).multiply(BigDecimal.valueOf(nanosPerUnit)));
            position = unitEnd;
        }

        if (totalNanos.compareTo(MAX_NANOS) > 0) {
            throw new InvalidDurationException(text, "too large, the maximum is about 2562047h");
        }
        // Go truncates fractions of a nanosecond too.
        return Duration.ofNanos(totalNanos.setScale(0, RoundingMode.DOWN).longValueExact());
    }

    /**
     * Formats a non-negative duration so that {@link #parse} reads it back, using the largest
     * units that fit: {@code 168h}, {@code 1h30m}, {@code 1m0.5s}, {@code 500ms}, {@code 0s}.
     */
    public static String format(Duration duration) {
        if (duration.isZero()) {
            return "0s";
        }
        long nanos = duration.toNanos();
        if (nanos < 1_000_000_000L) {
            return formatBelowSecond(nanos);
        }
        long hours = duration.toHours();
        int minutes = duration.toMinutesPart();
        long secondNanos = nanos % 60_000_000_000L;

        StringBuilder text = new StringBuilder();
        if (hours > 0) {
            text.append(hours).append('h');
        }
        if (minutes > 0) {
            text.append(minutes).append('m');
        }
        if (secondNanos > 0) {
            BigDecimal seconds = BigDecimal.valueOf(secondNanos, 9).stripTrailingZeros();
            text.append(seconds.toPlainString()).append('s');
        }
        return text.toString();
    }

    private static String formatBelowSecond(long nanos) {
        if (nanos % 1_000_000L == 0) {
            return nanos / 1_000_000L + "ms";
        }
        if (nanos % 1_000L == 0) {
            return nanos / 1_000L + "us";
        }
        return nanos + "ns";
    }

    private static int skipNumber(String text, int from) {
        int position = from;
        while (position < text.length() && (Character.isDigit(text.charAt(position)) || text.charAt(position) == '.')) {
            position++;
        }
        return position;
    }

    private static int skipUnit(String text, int from) {
        int position = from;
        while (position < text.length() && !Character.isDigit(text.charAt(position)) && text.charAt(position) != '.') {
            position++;
        }
        return position;
    }
}
