// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.cli;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses --duration values: one or more number-unit pairs such as "30s", "5m", "1h", "500ms", "1m30s" or
 * "1.5h", with units ms, s, m and h. A bare number is refused rather than guessed. The result must be above
 * zero and at most {@link #MAX}, so that a typo cannot leave probes attached for days.
 */
public final class DurationParser {

    public static final Duration MAX = Duration.ofHours(24);

    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)");
    private static final BigDecimal NANOS_PER_MS = BigDecimal.valueOf(1_000_000L);

    private DurationParser() {}

    public static Duration parse(String flag, String text) {
        String s = text.strip();
        if (s.isEmpty()) {
            throw new UsageException(flag, text, "is empty; use e.g. 30s, 5m, 1h or 500ms");
        }
        Matcher m = PART.matcher(s);
        BigDecimal nanos = BigDecimal.ZERO;
        int at = 0;
        while (at < s.length()) {
            if (!m.find(at) || m.start() != at) {
                String reason = s.chars().allMatch(c -> Character.isDigit(c) || c == '.')
                        ? "has no unit; use e.g. 30s, 5m, 1h or 500ms"
                        : "is not a duration; use e.g. 30s, 5m, 1h, 500ms or 1m30s (units ms, s, m, h)";
                throw new UsageException(flag, text, reason);
            }
            BigDecimal value = new BigDecimal(m.group(1));
            long msPerUnit = switch (m.group(2)) {
                case "ms" -> 1;
                case "s" -> 1_000;
                case "m" -> 60_000;
                default -> 3_600_000;
            };
            nanos = nanos.add(value.multiply(BigDecimal.valueOf(msPerUnit)).multiply(NANOS_PER_MS));
            at = m.end();
            if (nanos.compareTo(BigDecimal.valueOf(MAX.toNanos())) > 0) {
                throw new UsageException(flag, text, "is longer than the maximum of 24h");
            }
        }
        Duration d = Duration.ofNanos(nanos.longValue());
        if (d.isZero()) {
            throw new UsageException(flag, text, "must be longer than zero");
        }
        return d;
    }
}
