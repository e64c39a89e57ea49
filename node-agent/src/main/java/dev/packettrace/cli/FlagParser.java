// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.cli;

import dev.packettrace.output.TimestampMode;
import dev.packettrace.tracer.Backend;
import dev.packettrace.tracer.EventStream;
import dev.packettrace.tracer.FunctionFilter;
import dev.packettrace.tracer.IpPrefix;
import dev.packettrace.tracer.L4Proto;
import dev.packettrace.tracer.TraceFilter;
import dev.packettrace.tracer.TracerConfig;
import java.util.Locale;

/**
 * Parses single flag values. Every error is a {@link UsageException} naming the flag, the value and the reason.
 * Values arrive as strings (not through picocli converters) so that every message has that one shape.
 */
public final class FlagParser {

    private FlagParser() {}

    /** A 32-bit mark, decimal or 0x-prefixed hex. */
    public static long mark(String flag, String text) {
        String s = text.strip();
        boolean hex = s.startsWith("0x") || s.startsWith("0X");
        String digits = hex ? s.substring(2) : s;
        if (digits.isEmpty()
                || !digits.chars().allMatch(c -> hex ? Character.digit(c, 16) >= 0 : c >= '0' && c <= '9')) {
            throw new UsageException(
                    flag,
                    text,
                    s.startsWith("-")
                            ? "is negative; marks are unsigned 32-bit values"
                            : "is not a decimal or 0x-prefixed hexadecimal number");
        }
        if (digits.length() > 16) {
            throw new UsageException(flag, text, "is larger than 32 bits (at most 4294967295 or 0xffffffff)");
        }
        long value = Long.parseUnsignedLong(digits, hex ? 16 : 10);
        if (value < 0 || value > 0xffff_ffffL) {
            throw new UsageException(flag, text, "is larger than 32 bits (at most 4294967295 or 0xffffffff)");
        }
        return value;
    }

    /** A TCP/UDP port, 1..65535. */
    public static int port(String flag, String text) {
        long value = decimal(flag, text, "is not a port number");
        if (value < 1 || value > 65535) {
            throw new UsageException(flag, text, "is outside 1..65535");
        }
        return (int) value;
    }

    /** An IPv4 or IPv6 address or CIDR, literal only (never a host name). */
    public static IpPrefix ipPrefix(String flag, String text) {
        try {
            return IpPrefix.parse(text);
        } catch (IllegalArgumentException e) {
            throw UsageException.withMessage(flag, e.getMessage());
        }
    }

    /** An interface name as the kernel accepts it: 1..15 bytes, no '/', ':' or white space, not "." or "..". */
    public static String ifname(String flag, String text) {
        if (text.isEmpty() || text.length() >= TraceFilter.IFNAMSIZ) {
            throw new UsageException(flag, text, "must be 1 to " + (TraceFilter.IFNAMSIZ - 1) + " characters long");
        }
        if (text.equals(".")
                || text.equals("..")
                || text.chars()
                        .anyMatch(c -> c == '/' || c == ':' || Character.isWhitespace(c) || c > 0x7e || c < 0x21)) {
            throw new UsageException(flag, text, "is not a valid interface name (no '/', ':', spaces or non-ASCII)");
        }
        return text;
    }

    public static L4Proto proto(String flag, String text) {
        return L4Proto.ofName(text.strip())
                .orElseThrow(() ->
                        new UsageException(flag, text, "is not a supported protocol; choose one of: " + protoNames()));
    }

    public static String protoNames() {
        StringBuilder sb = new StringBuilder();
        for (L4Proto p : L4Proto.values()) {
            sb.append(sb.isEmpty() ? "" : ", ").append(p.flagName());
        }
        return sb.toString();
    }

    public static Backend backend(String flag, String text) {
        return Backend.ofName(text.strip())
                .orElseThrow(
                        () -> new UsageException(flag, text, "is not a backend; choose one of: " + Backend.names()));
    }

    /** all, drops or none: which matched hits become events. */
    public static EventStream.Events events(String flag, String text) {
        for (EventStream.Events e : EventStream.Events.values()) {
            if (e.flagName().equals(text.strip())) {
                return e;
            }
        }
        throw new UsageException(flag, text, "is not a choice of events; choose one of: all, drops, none");
    }

    /** A per-second event budget, 1 to {@link EventStream#MAX_PER_SECOND}. */
    public static long eventsPerSecond(String flag, String text) {
        long value = decimal(flag, text, "is not a number of events");
        if (value < 1 || value > EventStream.MAX_PER_SECOND) {
            throw new UsageException(flag, text, "must be between 1 and " + EventStream.MAX_PER_SECOND);
        }
        return value;
    }

    /** An RE2 expression that must match a kernel function's whole name. */
    public static FunctionFilter functionFilter(String flag, String text) {
        if (text.isEmpty()) {
            throw new UsageException(flag, text, "is empty; give a function name or an RE2 expression such as 'ip_.*'");
        }
        try {
            return FunctionFilter.of(text);
        } catch (IllegalArgumentException e) {
            throw UsageException.withMessage(flag, e.getMessage());
        }
    }

    public static TimestampMode timestamp(String flag, String text) {
        return TimestampMode.ofName(text.strip())
                .orElseThrow(() -> new UsageException(
                        flag, text, "is not a timestamp mode; choose one of: " + TimestampMode.names()));
    }

    /** A positive line count. */
    public static long lineLimit(String flag, String text) {
        long value = decimal(flag, text, "is not a number of lines");
        if (value < 1) {
            throw new UsageException(flag, text, "must be at least 1");
        }
        return value;
    }

    /**
     * A ring buffer size in bytes, optionally with a binary suffix K, M or G (8M = 8 MiB): a power of two within
     * the tracer's bounds.
     */
    public static int ringBufferBytes(String flag, String text) {
        String s = text.strip().toUpperCase(Locale.ROOT);
        int shift = 0;
        if (!s.isEmpty()) {
            switch (s.charAt(s.length() - 1)) {
                case 'K' -> shift = 10;
                case 'M' -> shift = 20;
                case 'G' -> shift = 30;
                default -> {}
            }
        }
        String digits = shift == 0 ? s : s.substring(0, s.length() - 1);
        long value = decimal(flag, text, digits, "is not a size in bytes (e.g. 8388608 or 8M)");
        if (value > TracerConfig.MAX_RING_BUFFER_BYTES >> shift) {
            throw new UsageException(
                    flag, text, "is larger than the maximum of " + TracerConfig.MAX_RING_BUFFER_BYTES + " bytes");
        }
        long bytes = value << shift;
        if (bytes < TracerConfig.MIN_RING_BUFFER_BYTES) {
            throw new UsageException(
                    flag, text, "is smaller than the minimum of " + TracerConfig.MIN_RING_BUFFER_BYTES + " bytes");
        }
        if (Long.bitCount(bytes) != 1) {
            throw new UsageException(flag, text, "is not a power of two");
        }
        return (int) bytes;
    }

    private static long decimal(String flag, String text, String reason) {
        return decimal(flag, text, text.strip(), reason);
    }

    private static long decimal(String flag, String original, String digits, String reason) {
        if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new UsageException(flag, original, digits.startsWith("-") ? "is negative" : reason);
        }
        // Longer than any useful value: clamp so that the caller's range check words the error.
        return digits.length() > 18 ? Long.MAX_VALUE : Long.parseLong(digits);
    }
}
