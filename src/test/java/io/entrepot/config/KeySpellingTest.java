package io.entrepot.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KeySpellingTest {

    @ParameterizedTest(name = "{0} to {1}")
    @CsvSource({
        "auht,     auth,     1",
        "Auth,     auth,     0",
        "acces,    access,   1",
        "enable,   enabled,  1",
        "readonyl, readonly, 1",
        "tsl,      tls,      1",
        "foo,      tls,      3",
        "'',       tls,      3",
    })
    void distance_countsEditsAndSwaps(String a, String b, int expected) {
        assertThat(KeySpelling.distance(a, b)).isEqualTo(expected);
    }

    @Test
    void closeNames_shortKnownName_allowsOneEdit() {
        assertThat(KeySpelling.closeNames("path", List.of("auth"))).isEmpty();
        assertThat(KeySpelling.closeNames("aut", List.of("auth"))).containsExactly("auth");
    }

    @Test
    void closeNames_longKnownName_allowsTwoEdits() {
        assertThat(KeySpelling.closeNames("draintime", List.of("draintimeout"))).isEmpty();
        assertThat(KeySpelling.closeNames("dranitimout", List.of("draintimeout"))).containsExactly("draintimeout");
    }

    @Test
    void closeNames_closestFirst() {
        assertThat(KeySpelling.closeNames("addr", List.of("addrs", "addr2", "add"))).containsExactly("add", "addr2", "addrs");
    }
}
