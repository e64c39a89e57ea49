// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.cli;

import dev.packettrace.output.OutputOptions;
import dev.packettrace.tracer.TracerConfig;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One trace run: what to trace, how to show it, and for how long (empty: until stopped by a signal, the line
 * limit or {@link TraceRunner#requestStop}).
 */
public record TraceRun(TracerConfig config, OutputOptions output, Optional<Duration> duration) {

    public TraceRun {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(duration, "duration");
        duration.ifPresent(d -> {
            if (d.isNegative() || d.isZero() || d.compareTo(DurationParser.MAX) > 0) {
                throw new IllegalArgumentException(
                        "duration " + d + " must be above zero and at most " + DurationParser.MAX);
            }
        });
    }
}
