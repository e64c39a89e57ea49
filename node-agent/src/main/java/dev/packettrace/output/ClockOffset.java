// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.output;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The difference between the wall clock and the kernel's CLOCK_MONOTONIC, which is what BPF probes stamp
 * events with (bpf_ktime_get_ns). Adding it to an event time gives the wall-clock time of the event.
 *
 * <p>System.nanoTime is not used: the JVM only promises it is monotonic, not which clock it reads. Instead the
 * kernel's own monotonic "now" is read from a file while the wall clock is read just before and after:
 * <ol>
 * <li>{@code /proc/timer_list} prints "now at N nsecs" from ktime_get(), which is CLOCK_MONOTONIC with nanosecond
 *     resolution. It is readable by root only, which the tracer needs anyway. The measurement is repeated a few
 *     times and the tightest bracket kept, so the error is the file read time (tens of microseconds).</li>
 * <li>Otherwise {@code /proc/uptime}, which is CLOCK_BOOTTIME in centiseconds: 10 ms resolution, and off by the
 *     time the machine spent suspended (BOOTTIME counts it, MONOTONIC does not).</li>
 * </ol>
 *
 * @param epochMinusMonotonicNs wall-clock nanoseconds since the epoch minus CLOCK_MONOTONIC nanoseconds
 * @param source                the file the monotonic time came from
 * @param uncertaintyNs         half the width of the bracket (plus the source's resolution)
 */
public record ClockOffset(long epochMinusMonotonicNs, String source, long uncertaintyNs) {

    private static final Path TIMER_LIST = Path.of("/proc/timer_list");
    private static final Path UPTIME = Path.of("/proc/uptime");
    private static final Pattern NOW_AT = Pattern.compile("^now at (\\d+) nsecs$");
    private static final Pattern UPTIME_TEXT = Pattern.compile("^(\\d+)\\.(\\d{1,9})\\s.*", Pattern.DOTALL);
    private static final int ATTEMPTS = 5;

    public long toEpochNanos(long monotonicNs) {
        return monotonicNs + epochMinusMonotonicNs;
    }

    /** Measures the offset on this machine, from /proc/timer_list if readable, else /proc/uptime. */
    public static ClockOffset measure() {
        if (Files.isReadable(TIMER_LIST)) {
            try {
                return measureWith(TIMER_LIST, ClockOffset::readTimerListNow, 0);
            } catch (IOException | IllegalStateException e) {
                // fall through to /proc/uptime: timer_list can be missing lines on some kernels
            }
        }
        try {
            return measureWith(UPTIME, ClockOffset::readUptime, 10_000_000L);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot read the kernel's monotonic clock from " + TIMER_LIST + " or " + UPTIME
                            + " to convert event times to wall-clock time",
                    e);
        }
    }

    /** Measures against /proc/uptime only (exposed so that tests can compare both sources). */
    static ClockOffset measureFromUptime() throws IOException {
        return measureWith(UPTIME, ClockOffset::readUptime, 10_000_000L);
    }

    /** Measures against /proc/timer_list only. */
    static ClockOffset measureFromTimerList() throws IOException {
        return measureWith(TIMER_LIST, ClockOffset::readTimerListNow, 0);
    }

    private interface MonotonicReader {
        long read(Path file) throws IOException;
    }

    private static ClockOffset measureWith(Path file, MonotonicReader reader, long resolutionNs) throws IOException {
        long bestWidth = Long.MAX_VALUE;
        long bestOffset = 0;
        for (int i = 0; i < ATTEMPTS; i++) {
            long before = epochNanosNow();
            long monotonic = reader.read(file);
            long after = epochNanosNow();
            long width = after - before;
            if (width < bestWidth) {
                bestWidth = width;
                bestOffset = before + width / 2 - monotonic;
            }
        }
        return new ClockOffset(bestOffset, file.toString(), bestWidth / 2 + resolutionNs);
    }

    private static long epochNanosNow() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private static long readTimerListNow(Path file) throws IOException {
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
            for (int i = 0; i < 8; i++) {
                String line = r.readLine();
                if (line == null) {
                    break;
                }
                OptionalLong now = parseTimerListNow(line);
                if (now.isPresent()) {
                    return now.getAsLong();
                }
            }
        }
        throw new IllegalStateException(file + " has no 'now at N nsecs' line in its header");
    }

    private static long readUptime(Path file) throws IOException {
        return parseUptimeNanos(Files.readString(file, StandardCharsets.US_ASCII));
    }

    /** The nanoseconds in a /proc/timer_list "now at N nsecs" line. */
    static OptionalLong parseTimerListNow(String line) {
        Matcher m = NOW_AT.matcher(line.strip());
        return m.matches() ? OptionalLong.of(Long.parseLong(m.group(1))) : OptionalLong.empty();
    }

    /** The first number of /proc/uptime ("5193.11 10264.23"), in nanoseconds. */
    static long parseUptimeNanos(String content) {
        Matcher m = UPTIME_TEXT.matcher(content.strip() + " ");
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "/proc/uptime content '" + content.strip() + "' is not 'SECONDS.FRACTION IDLE'");
        }
        String fraction = (m.group(2) + "000000000").substring(0, 9);
        return Long.parseLong(m.group(1)) * 1_000_000_000L + Long.parseLong(fraction);
    }
}
