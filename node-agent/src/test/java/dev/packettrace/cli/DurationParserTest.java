// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DurationParserTest {

    @ParameterizedTest
    @CsvSource({
        "30s, PT30S",
        "5m, PT5M",
        "1h, PT1H",
        "500ms, PT0.5S",
        "1m30s, PT1M30S",
        "1.5h, PT1H30M",
        "0.25s, PT0.25S",
        "24h, PT24H",
        "1ms, PT0.001S",
    })
    void parses(String text, String expected) {
        assertEquals(Duration.parse(expected), DurationParser.parse("--duration", text));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "30       | has no unit",
                "0s       | must be longer than zero",
                "0ms      | must be longer than zero",
                "25h      | is longer than the maximum of 24h",
                "24h1ms   | is longer than the maximum of 24h",
                "1d       | is not a duration",
                "-5s      | is not a duration",
                "abc      | is not a duration",
                "5s garbage | is not a duration",
                "''       | is empty",
            })
    void refuses(String text, String reason) {
        UsageException e = assertThrows(UsageException.class, () -> DurationParser.parse("--duration", text));
        assertEquals("--duration", e.flag());
        assertTrue(e.getMessage().startsWith("--duration: '" + text + "' " + reason), e.getMessage());
    }
}
