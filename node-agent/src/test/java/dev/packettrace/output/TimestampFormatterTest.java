// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TimestampFormatterTest {

    /** 2025-01-02T03:04:05Z in epoch nanoseconds minus a monotonic reading of 1000 s. */
    private static final long OFFSET =
            Instant.parse("2025-01-02T03:04:05Z").getEpochSecond() * 1_000_000_000L - 1_000_000_000_000L;

    private static TimestampFormatter formatter(TimestampMode mode) {
        return new TimestampFormatter(mode, () -> new ClockOffset(OFFSET, "test", 0));
    }

    private static String table(TimestampFormatter f, long ns) {
        StringBuilder sb = new StringBuilder();
        f.appendTo(sb, ns);
        return sb.toString();
    }

    private static JsonNode json(TimestampFormatter f, long ns) throws IOException {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(w)) {
            g.writeStartObject();
            f.writeJsonField(g, new SerializedString("time"), ns);
            g.writeEndObject();
        }
        return new ObjectMapper().readTree(w.toString());
    }

    @Test
    void noneWritesNothing() throws IOException {
        TimestampFormatter f = formatter(TimestampMode.NONE);
        assertEquals("", table(f, 5));
        assertFalse(json(f, 5).has("time"));
        assertEquals(0, f.tableWidth());
    }

    @Test
    void relativeCountsFromTheFirstEvent() throws IOException {
        TimestampFormatter f = formatter(TimestampMode.RELATIVE);
        assertEquals("0.000000000", table(f, 5_000_000_000L));
        assertEquals("1.000250000", table(f, 6_000_250_000L));
        assertEquals("-0.000000100", table(f, 4_999_999_900L), "out-of-order events stay visible");
        TimestampFormatter j = formatter(TimestampMode.RELATIVE);
        assertEquals(0, json(j, 7_000).get("time").asLong());
        assertEquals(1_500, json(j, 8_500).get("time").asLong());
        assertEquals(true, json(j, 9_000).get("time").isIntegralNumber());
    }

    @Test
    void absoluteIsTheKernelTimestampAsIs() throws IOException {
        TimestampFormatter f = formatter(TimestampMode.ABSOLUTE);
        assertEquals("5193112902097", table(f, 5_193_112_902_097L));
        assertEquals(5_193_112_902_097L, json(f, 5_193_112_902_097L).get("time").asLong());
    }

    @Test
    void currentAddsTheMeasuredOffsetAndPrintsIso8601() throws IOException {
        TimestampFormatter f = formatter(TimestampMode.CURRENT);
        long mono = 1_000_000_000_000L;
        assertEquals("2025-01-02T03:04:05.000000000Z", table(f, mono));
        assertEquals("2025-01-02T03:04:05.000000123Z", table(f, mono + 123));
        assertEquals("2025-01-02T03:04:06.500000000Z", table(f, mono + 1_500_000_000L), "the cached second moves on");
        assertEquals("2025-01-02T03:04:05.999999999Z", table(f, mono + 999_999_999L), "and back");
        String text = json(f, mono + 42).get("time").asText();
        assertEquals("2025-01-02T03:04:05.000000042Z", text);
        assertEquals(Instant.parse("2025-01-02T03:04:05Z").plusNanos(42), Instant.parse(text));
    }

    @Test
    void offsetIsMeasuredOnlyOnceAndOnlyForCurrent() {
        AtomicInteger measured = new AtomicInteger();
        new TimestampFormatter(TimestampMode.RELATIVE, () -> {
            measured.incrementAndGet();
            return new ClockOffset(0, "test", 0);
        });
        assertEquals(0, measured.get());
        TimestampFormatter f = new TimestampFormatter(TimestampMode.CURRENT, () -> {
            measured.incrementAndGet();
            return new ClockOffset(OFFSET, "test", 0);
        });
        table(f, 1);
        table(f, 2);
        assertEquals(1, measured.get());
    }
}
