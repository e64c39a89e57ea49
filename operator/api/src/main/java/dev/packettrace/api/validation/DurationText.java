// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.api.validation;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Kubernetes-style durations limited to whole hours, minutes and seconds: "90s", "5m", "1h30m". */
public final class DurationText {

    private static final Pattern FORMAT = Pattern.compile("^(?:(\\d{1,6})h)?(?:(\\d{1,6})m)?(?:(\\d{1,6})s)?$");

    private DurationText() {}

    public static Duration parse(String text) {
        Matcher m = FORMAT.matcher(text.trim());
        if (text.isBlank() || !m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration like 30s, 5m or 1h30m");
        }
        return Duration.ofHours(group(m, 1)).plusMinutes(group(m, 2)).plusSeconds(group(m, 3));
    }

    /** The shortest form: 90 seconds is "1m30s", an hour is "1h". */
    public static String format(Duration d) {
        long s = d.toSeconds();
        StringBuilder b = new StringBuilder();
        if (s >= 3600) {
            b.append(s / 3600).append('h');
            s %= 3600;
        }
        if (s >= 60) {
            b.append(s / 60).append('m');
            s %= 60;
        }
        if (s > 0 || b.isEmpty()) {
            b.append(s).append('s');
        }
        return b.toString();
    }

    private static long group(Matcher m, int i) {
        return m.group(i) == null ? 0 : Long.parseLong(m.group(i));
    }
}
