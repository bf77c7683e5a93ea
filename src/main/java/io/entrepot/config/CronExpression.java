package io.entrepot.config;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.Month;
import java.time.ZonedDateTime;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;

/**
 * A five-field cron expression, {@code minute hour day-of-month month day-of-week}, as crontab(5)
 * writes it: each field is {@code *} or a comma-separated list of values, ranges {@code a-b} and
 * steps <code>*&#47;n</code>, {@code a-b/n} or {@code a/n}. Months
 * and days of the week may be given by their first three letters ({@code JAN}, {@code MON}), and
 * both 0 and 7 mean Sunday.
 *
 * <p>As in Vixie cron, when both the day of the month and the day of the week are restricted
 * (neither starts with {@code *}), a day matches when either field matches.
 *
 * <p>Times are evaluated in a time zone. When a daylight saving change skips a local time, a
 * matching time inside the gap fires at the same offset after the change (02:30 becomes 03:30).
 * When a change repeats local times, a matching time fires once, at its first occurrence.
 */
public final class CronExpression {

    /** Days searched for the next time: the longest gap between two February 29ths is eight years (2096 to 2104). */
    private static final int SEARCH_DAYS = 366 * 8 + 2;

    private static final List<String> MONTH_NAMES =
            List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC");
    private static final List<String> DAY_NAMES = List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");

    private final String text;
    private final BitSet minutes;
    private final BitSet hours;
    private final BitSet daysOfMonth;
    private final BitSet months;
    private final BitSet daysOfWeek;
    private final boolean dayOfMonthRestricted;
    private final boolean dayOfWeekRestricted;

    private CronExpression(String text, String[] fields) {
        this.text = text;
        this.minutes = parseField(fields[0], "minute", 0, 59, List.of());
        this.hours = parseField(fields[1], "hour", 0, 23, List.of());
        this.daysOfMonth = parseField(fields[2], "day of month", 1, 31, List.of());
        this.months = parseField(fields[3], "month", 1, 12, MONTH_NAMES);
        BitSet weekDays = parseField(fields[4], "day of week", 0, 7, DAY_NAMES);
        if (weekDays.get(7)) {
            weekDays.set(0);
            weekDays.clear(7);
        }
        this.daysOfWeek = weekDays;
        this.dayOfMonthRestricted = !fields[2].startsWith("*");
        this.dayOfWeekRestricted = !fields[4].startsWith("*");
    }

    /**
     * Parses {@code text}.
     *
     * @throws IllegalArgumentException naming the expression and the field when the syntax is
     *     invalid, a value is out of range, or no date can ever match (such as February 30)
     */
    public static CronExpression parse(String text) {
        String[] fields = text.trim().split("\\s+");
        if (fields.length != 5) {
            throw new IllegalArgumentException("invalid cron expression \"" + text + "\": expected 5 fields"
                    + " (minute hour day-of-month month day-of-week), found " + (text.isBlank() ? 0 : fields.length));
        }
        CronExpression expression;
        try {
            expression = new CronExpression(text.trim(), fields);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid cron expression \"" + text + "\": " + e.getMessage(), e);
        }
        if (!expression.canMatch()) {
            throw new IllegalArgumentException("invalid cron expression \"" + text
                    + "\": no month in the month field has any of the days in the day-of-month field");
        }
        return expression;
    }

    /**
     * Returns the first time after {@code after}, in its zone, at which the expression matches.
     * Seconds are always zero.
     */
    public ZonedDateTime next(ZonedDateTime after) {
        LocalDate date = after.toLocalDate();
        for (int day = 0; day < SEARCH_DAYS; day++, date = date.plusDays(1)) {
            if (!matchesDate(date)) {
                continue;
            }
            ZonedDateTime earliest = null;
            for (int hour = hours.nextSetBit(0); hour >= 0; hour = hours.nextSetBit(hour + 1)) {
                for (int minute = minutes.nextSetBit(0); minute >= 0; minute = minutes.nextSetBit(minute + 1)) {
                    // ofLocal moves a time in a gap forward by the gap and takes the earlier offset in an overlap.
                    ZonedDateTime candidate = ZonedDateTime.ofLocal(date.atTime(hour, minute), after.getZone(), null);
                    if (candidate.isAfter(after) && (earliest == null || candidate.isBefore(earliest))) {
                        earliest = candidate;
                    }
                }
            }
            if (earliest != null) {
                return earliest;
            }
        }
        throw new IllegalStateException("cron expression \"" + text + "\" matched no time within " + SEARCH_DAYS + " days of " + after);
    }

    private boolean matchesDate(LocalDate date) {
        if (!months.get(date.getMonthValue())) {
            return false;
        }
        boolean dayOfMonth = daysOfMonth.get(date.getDayOfMonth());
        boolean dayOfWeek = daysOfWeek.get(date.getDayOfWeek() == DayOfWeek.SUNDAY ? 0 : date.getDayOfWeek().getValue());
        if (dayOfMonthRestricted && dayOfWeekRestricted) {
            return dayOfMonth || dayOfWeek;
        }
        return dayOfMonth && dayOfWeek;
    }

    /** Returns false when the day-of-month field names only days that none of the months has. */
    private boolean canMatch() {
        if (dayOfWeekRestricted && dayOfMonthRestricted) {
            return true;
        }
        int firstDay = daysOfMonth.nextSetBit(1);
        for (int month = months.nextSetBit(1); month >= 0; month = months.nextSetBit(month + 1)) {
            if (firstDay <= Month.of(month).maxLength()) {
                return true;
            }
        }
        return false;
    }

    private static BitSet parseField(String field, String name, int min, int max, List<String> names) {
        BitSet values = new BitSet(max + 1);
        for (String item : field.split(",", -1)) {
            parseItem(item, name, min, max, names, values);
        }
        return values;
    }

    private static void parseItem(String item, String name, int min, int max, List<String> names, BitSet values) {
        String range = item;
        int step = 1;
        int slash = item.indexOf('/');
        if (slash >= 0) {
            range = item.substring(0, slash);
            step = parseNumber(item.substring(slash + 1), name + " step", 1, max, List.of());
        }

        int from;
        int to;
        if (range.equals("*")) {
            from = min;
            to = max;
        } else if (range.indexOf('-') > 0) {
            from = parseNumber(range.substring(0, range.indexOf('-')), name, min, max, names);
            to = parseNumber(range.substring(range.indexOf('-') + 1), name, min, max, names);
            if (to < from) {
                throw new IllegalArgumentException(name + " range \"" + range + "\" ends before it starts");
            }
        } else {
            from = parseNumber(range, name, min, max, names);
            // "a/n" runs from a to the end of the field, as in Vixie cron.
            to = slash >= 0 ? max : from;
        }
        for (int value = from; value <= to; value += step) {
            values.set(value);
        }
    }

    private static int parseNumber(String token, String name, int min, int max, List<String> names) {
        int index = names.indexOf(token.toUpperCase(Locale.ROOT));
        if (index >= 0) {
            // Month names count from 1, day names from 0 (Sunday).
            return names.size() == 12 ? index + 1 : index;
        }
        if (!token.matches("[0-9]{1,2}")) {
            throw new IllegalArgumentException(name + " \"" + token + "\" is not a number" + (names.isEmpty() ? "" : " or a name such as " + names.get(0)));
        }
        int value = Integer.parseInt(token);
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " " + value + " is outside " + min + "-" + max);
        }
        return value;
    }

    /** Returns the expression as written, trimmed. */
    @Override
    public String toString() {
        return text;
    }

    /** Two expressions are equal when they were written the same, so that equal configurations compare equal. */
    @Override
    public boolean equals(Object other) {
        return other instanceof CronExpression cron && cron.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }
}
