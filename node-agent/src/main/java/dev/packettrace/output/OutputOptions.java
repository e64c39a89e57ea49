// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.output;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * How a trace run shows its events.
 *
 * @param format     table or JSON lines
 * @param timestamp  what the time column / {@code time} field shows
 * @param tuple      table only: add the TUPLE column (JSON always writes the tuple when the event has one)
 * @param meta       table only: add NETNS, MARK, IFACE, PROTO and LEN (JSON always writes them)
 * @param stack      print each event's kernel stack (JSON: the {@code stack} array); the tracer must capture stacks
 * @param file       where the caller should send events instead of stdout; the runner itself writes to the
 *                   stream it is given
 * @param limitLines stop after this many events were written (stack lines and the header do not count)
 */
public record OutputOptions(
        OutputFormat format,
        TimestampMode timestamp,
        boolean tuple,
        boolean meta,
        boolean stack,
        Optional<Path> file,
        OptionalLong limitLines) {

    public OutputOptions {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(limitLines, "limitLines");
        limitLines.ifPresent(n -> {
            if (n < 1) {
                throw new IllegalArgumentException("line limit " + n + " must be at least 1");
            }
        });
    }

    /** A table without tuple, meta, stack or time, to stdout, without a limit: pwru's defaults. */
    public static OutputOptions defaults() {
        return new OutputOptions(
                OutputFormat.TABLE, TimestampMode.NONE, false, false, false, Optional.empty(), OptionalLong.empty());
    }
}
