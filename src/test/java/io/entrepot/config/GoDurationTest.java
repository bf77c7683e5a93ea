package io.entrepot.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GoDurationTest {

    @ParameterizedTest(name = "{0} is {1} ns")
    @CsvSource({
        "168h, 604800000000000",
        "24h, 86400000000000",
        "1h30m, 5400000000000",
        "10s, 10000000000",
        "500ms, 500000000",
        "2m, 120000000000",
        "1.5s, 1500000000",
        ".5s, 500000000",
        "250us, 250000",
        "250µs, 250000",
        "7ns, 7",
        "1h1m1s1ms, 3661001000000",
        "+5s, 5000000000",
        "0, 0",
        "0s, 0",
    })
    void parse_validGoSyntax_returnsDuration(String text, long nanos) {
        assertThat(GoDuration.parse(text)).isEqualTo(Duration.ofNanos(nanos));
    }

    @ParameterizedTest(name = "\"{0}\" is rejected: {1}")
    @CsvSource(delimiter = '|', value = {
        "10   | missing unit after 10",
        "1x   | unknown unit \"x\"",
        "-5s  | must not be negative",
        "h    | expected a number before \"h\"",
        "1h5  | missing unit after 5",
        "1..2s | expected a number before \"1..2s\"",
        "5 s  | unknown unit \" s\"",
        "9999999h | too large",
    })
    void parse_invalidText_namesValueAndReason(String text, String reason) {
        assertThatThrownBy(() -> GoDuration.parse(text))
                .isInstanceOf(GoDuration.InvalidDurationException.class)
                .hasMessageStartingWith("invalid duration \"" + text + "\": ")
                .hasMessageContaining(reason);
    }

    @ParameterizedTest(name = "\"{0}\" is rejected")
    @CsvSource(value = {"''", "+", "-"})
    void parse_emptyOrSignOnly_rejected(String text) {
        assertThatThrownBy(() -> GoDuration.parse(text)).isInstanceOf(GoDuration.InvalidDurationException.class);
    }

    @ParameterizedTest(name = "{0} formats as {1}")
    @CsvSource({
        "0, 0s",
        "7, 7ns",
        "250000, 250us",
        "500000000, 500ms",
        "10000000000, 10s",
        "1500000000, 1.5s",
        "5400000000000, 1h30m",
        "604800000000000, 168h",
        "3661001000000, 1h1m1.001s",
    })
    void format_duration_readsBackWithParse(long nanos, String text) {
        Duration duration = Duration.ofNanos(nanos);

        assertThat(GoDuration.format(duration)).isEqualTo(text);
        assertThat(GoDuration.parse(text)).isEqualTo(duration);
    }
}
