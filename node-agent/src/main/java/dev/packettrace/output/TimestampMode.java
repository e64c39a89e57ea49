// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.output;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** What the TIME column (JSON: {@code time}) shows, named as on the command line. */
public enum TimestampMode {
    /** No time at all. */
    NONE("none"),
    /** Nanoseconds since the first event of the run. */
    RELATIVE("relative"),
    /** The kernel's CLOCK_MONOTONIC nanoseconds, as the probe read them. */
    ABSOLUTE("absolute"),
    /** Wall-clock time (UTC, ISO-8601), converted from the monotonic clock with an offset measured once. */
    CURRENT("current");

    private final String flagName;

    TimestampMode(String flagName) {
        this.flagName = flagName;
    }

    public String flagName() {
        return flagName;
    }

    public static Optional<TimestampMode> ofName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(m -> m.flagName.equals(n)).findFirst();
    }

    public static String names() {
        return Arrays.stream(values()).map(TimestampMode::flagName).collect(Collectors.joining(", "));
    }
}
