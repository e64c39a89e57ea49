// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.output;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import java.io.IOException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Turns an event's kernel monotonic timestamp into what {@link TimestampMode} asks for.
 * <ul>
 * <li>none: nothing (no column, no {@code time} field)</li>
 * <li>relative: time since the first event this formatter saw; the table shows seconds with nanosecond
 *     digits ("1.000250000"), JSON an integer of nanoseconds. Events from different CPUs can arrive slightly out
 *     of order, so a small negative value is possible and shown as such.</li>
 * <li>absolute: CLOCK_MONOTONIC nanoseconds as is, an integer in both formats</li>
 * <li>current: UTC wall-clock time, ISO-8601 with nanoseconds ("2025-01-02T03:04:05.123456789Z"), a string in JSON</li>
 * </ul>
 * Not thread-safe: one formatter per output stream, used from the polling thread.
 */
public final class TimestampFormatter {

    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss");
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final TimestampMode mode;
    private final long epochMinusMonotonicNs;
    private boolean haveFirst;
    private long firstNs;
    private long cachedSecond = Long.MIN_VALUE;
    private final char[] text = new char[40];
    private int prefixLength;

    /** The clock offset is only measured (once, here) when the mode is {@link TimestampMode#CURRENT}. */
    public TimestampFormatter(TimestampMode mode, Supplier<ClockOffset> wallClock) {
        this.mode = Objects.requireNonNull(mode, "mode");
        this.epochMinusMonotonicNs =
                mode == TimestampMode.CURRENT ? wallClock.get().epochMinusMonotonicNs() : 0;
    }

    public TimestampMode mode() {
        return mode;
    }

    /** Minimum width of the table column, 0 when there is none. */
    public int tableWidth() {
        return switch (mode) {
            case NONE -> 0;
            case RELATIVE -> 14;
            case ABSOLUTE -> 16;
            case CURRENT -> 30;
        };
    }

    /** Appends the table text for this timestamp; appends nothing in mode none. */
    public void appendTo(StringBuilder sb, long monotonicNs) {
        switch (mode) {
            case NONE -> {}
            case RELATIVE -> {
                long d = relative(monotonicNs);
                if (d < 0) {
                    sb.append('-');
                    d = -d;
                }
                sb.append(d / NANOS_PER_SECOND).append('.');
                appendNineDigits(sb, d % NANOS_PER_SECOND);
            }
            case ABSOLUTE -> sb.append(monotonicNs);
            case CURRENT -> sb.append(text, 0, formatCurrent(monotonicNs));
        }
    }

    /** Writes the {@code time} field; writes nothing in mode none. */
    public void writeJsonField(JsonGenerator g, SerializableString field, long monotonicNs) throws IOException {
        switch (mode) {
            case NONE -> {}
            case RELATIVE -> {
                g.writeFieldName(field);
                g.writeNumber(relative(monotonicNs));
            }
            case ABSOLUTE -> {
                g.writeFieldName(field);
                g.writeNumber(monotonicNs);
            }
            case CURRENT -> {
                g.writeFieldName(field);
                g.writeString(text, 0, formatCurrent(monotonicNs));
            }
        }
    }

    private long relative(long ns) {
        if (!haveFirst) {
            haveFirst = true;
            firstNs = ns;
        }
        return ns - firstNs;
    }

    /** Formats into {@link #text}; the date-time part is formatted once per second, the rest by hand. */
    private int formatCurrent(long monotonicNs) {
        long epochNs = monotonicNs + epochMinusMonotonicNs;
        long second = Math.floorDiv(epochNs, NANOS_PER_SECOND);
        long nanos = Math.floorMod(epochNs, NANOS_PER_SECOND);
        if (second != cachedSecond) {
            String prefix = SECONDS.format(LocalDateTime.ofEpochSecond(second, 0, ZoneOffset.UTC));
            prefixLength = prefix.length();
            prefix.getChars(0, prefixLength, text, 0);
            text[prefixLength] = '.';
            cachedSecond = second;
        }
        int end = prefixLength + 10;
        for (int i = end - 1; i > prefixLength; i--) {
            text[i] = (char) ('0' + nanos % 10);
            nanos /= 10;
        }
        text[end] = 'Z';
        return end + 1;
    }

    private static void appendNineDigits(StringBuilder sb, long value) {
        String digits = Long.toString(value);
        for (int i = digits.length(); i < 9; i++) {
            sb.append('0');
        }
        sb.append(digits);
    }
}
