package io.entrepot.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

class CronExpressionTest {

    private static final ZoneId UTC = ZoneOffset.UTC;
    private static final ZoneId PARIS = ZoneId.of("Europe/Paris");

    private static ZonedDateTime utc(String localTime) {
        return ZonedDateTime.of(java.time.LocalDateTime.parse(localTime), UTC);
    }

    private static ZonedDateTime next(String expression, ZonedDateTime after) {
        return CronExpression.parse(expression).next(after);
    }

    @Test
    void everyFifteenMinutes_nextQuarter() {
        assertThat(next("*/15 * * * *", utc("2026-03-10T10:07:30"))).isEqualTo(utc("2026-03-10T10:15:00"));
        assertThat(next("*/15 * * * *", utc("2026-03-10T10:15:00"))).as("strictly after").isEqualTo(utc("2026-03-10T10:30:00"));
        assertThat(next("*/15 * * * *", utc("2026-12-31T23:50:00"))).as("over a year end").isEqualTo(utc("2027-01-01T00:00:00"));
    }

    @Test
    void weekdayRange_skipsWeekend() {
        // 2026-03-13 is a Friday.
        assertThat(next("0 9 * * 1-5", utc("2026-03-13T10:00:00"))).isEqualTo(utc("2026-03-16T09:00:00"));
        assertThat(next("0 9 * * MON-FRI", utc("2026-03-13T08:00:00"))).isEqualTo(utc("2026-03-13T09:00:00"));
    }

    @Test
    void dayThirtyOne_skipsShortMonths() {
        assertThat(next("0 0 31 * *", utc("2026-04-01T00:00:00"))).isEqualTo(utc("2026-05-31T00:00:00"));
        assertThat(next("0 3 30 * *", utc("2026-01-30T04:00:00"))).as("February has no 30th").isEqualTo(utc("2026-03-30T03:00:00"));
    }

    @Test
    void februaryTwentyNinth_waitsForLeapYear() {
        assertThat(next("0 0 29 2 *", utc("2025-03-01T00:00:00"))).isEqualTo(utc("2028-02-29T00:00:00"));
        assertThat(next("0 0 29 2 *", utc("2096-03-01T00:00:00"))).as("2100 is not a leap year").isEqualTo(utc("2104-02-29T00:00:00"));
    }

    @Test
    void listsStepsAndNames_combine() {
        CronExpression expression = CronExpression.parse("5,35 */6 * jan,Jul sun");
        // 2026-07-05 is a Sunday.
        assertThat(expression.next(utc("2026-07-01T00:00:00"))).isEqualTo(utc("2026-07-05T00:05:00"));
        assertThat(expression.next(utc("2026-07-05T00:05:00"))).isEqualTo(utc("2026-07-05T00:35:00"));
        assertThat(expression.next(utc("2026-07-05T00:35:00"))).isEqualTo(utc("2026-07-05T06:05:00"));
        assertThat(next("0 12 * * 7", utc("2026-07-01T00:00:00"))).as("7 is Sunday").isEqualTo(utc("2026-07-05T12:00:00"));
        assertThat(next("0 0 * * 1-5/2", utc("2026-07-07T01:00:00"))).as("Monday, Wednesday, Friday").isEqualTo(utc("2026-07-08T00:00:00"));
        assertThat(next("10/20 0 * * *", utc("2026-07-07T00:11:00"))).as("a/n runs to the end of the field").isEqualTo(utc("2026-07-07T00:30:00"));
    }

    @Test
    void dayOfMonthAndWeekRestricted_eitherMatches() {
        // 2026-06-01 is a Monday; the 15th is a Monday too, so take the Monday 2026-06-08.
        assertThat(next("0 0 15 * MON", utc("2026-06-01T12:00:00"))).isEqualTo(utc("2026-06-08T00:00:00"));
        assertThat(next("0 0 30 2 MON", utc("2026-02-01T00:00:00"))).as("February 30 is fine with a weekday")
                .isEqualTo(utc("2026-02-02T00:00:00"));
    }

    @Test
    void springForward_gapTimeRunsAfterChange() {
        // Europe/Paris skips 02:00-03:00 on 2026-03-29.
        ZonedDateTime before = ZonedDateTime.of(2026, 3, 29, 0, 0, 0, 0, PARIS);

        ZonedDateTime next = next("30 2 * * *", before);

        assertThat(next.toInstant()).isEqualTo(utc("2026-03-29T01:30:00").toInstant());
        assertThat(next("30 2 * * *", next).toLocalDateTime()).isEqualTo(java.time.LocalDateTime.parse("2026-03-30T02:30:00"));
    }

    @Test
    void fallBack_repeatedTimeRunsOnce() {
        // Europe/Paris repeats 02:00-03:00 on 2026-10-25.
        ZonedDateTime first = next("30 2 * * *", ZonedDateTime.of(2026, 10, 25, 0, 0, 0, 0, PARIS));

        assertThat(first.toInstant()).as("the first 02:30, still summer time").isEqualTo(utc("2026-10-25T00:30:00").toInstant());
        assertThat(next("30 2 * * *", first).toLocalDateTime()).isEqualTo(java.time.LocalDateTime.parse("2026-10-26T02:30:00"));
        assertThat(next("0 * * * *", ZonedDateTime.of(2026, 10, 25, 2, 10, 0, 0, PARIS)).toInstant())
                .as("each local time fires once, so hourly skips the second 02:00").isEqualTo(utc("2026-10-25T02:00:00").toInstant());
    }

    @Test
    void impossibleDate_rejectedNamingValue() {
        assertThatThrownBy(() -> CronExpression.parse("0 0 30 2 *")).hasMessageContaining("\"0 0 30 2 *\"")
                .hasMessageContaining("no month");
        assertThatThrownBy(() -> CronExpression.parse("0 0 31 4,6,9,11 *")).hasMessageContaining("no month");
        assertThat(CronExpression.parse("0 0 29 2 *")).as("leap day is possible").isNotNull();
    }

    @Test
    void invalidSyntax_rejectedNamingField() {
        assertThatThrownBy(() -> CronExpression.parse("60 * * * *")).hasMessageContaining("minute 60 is outside 0-59");
        assertThatThrownBy(() -> CronExpression.parse("* 24 * * *")).hasMessageContaining("hour 24");
        assertThatThrownBy(() -> CronExpression.parse("* * 0 * *")).hasMessageContaining("day of month 0");
        assertThatThrownBy(() -> CronExpression.parse("* * * 13 *")).hasMessageContaining("month 13");
        assertThatThrownBy(() -> CronExpression.parse("* * * * 8")).hasMessageContaining("day of week 8");
        assertThatThrownBy(() -> CronExpression.parse("*/0 * * * *")).hasMessageContaining("minute step 0");
        assertThatThrownBy(() -> CronExpression.parse("5-1 * * * *")).hasMessageContaining("ends before it starts");
        assertThatThrownBy(() -> CronExpression.parse("* * * FOO *")).hasMessageContaining("\"FOO\"");
        assertThatThrownBy(() -> CronExpression.parse("1,,2 * * * *")).hasMessageContaining("minute \"\"");
        assertThatThrownBy(() -> CronExpression.parse("* * * *")).hasMessageContaining("expected 5 fields").hasMessageContaining("found 4");
        assertThatThrownBy(() -> CronExpression.parse("@daily")).hasMessageContaining("\"@daily\"");
    }
}
