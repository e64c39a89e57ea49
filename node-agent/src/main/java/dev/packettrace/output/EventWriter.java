// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.output;

import dev.packettrace.tracer.PacketEvent;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes a trace run's output: an optional header, one entry per event, and the summary at the end, all to the
 * same stream. Writers buffer; call {@link #flush} to make output visible. They never close the stream.
 * Not thread-safe.
 */
public sealed interface EventWriter permits TableWriter, JsonLinesWriter {

    static EventWriter create(OutputOptions options, OutputStream out, TimestampFormatter timestamps) {
        return switch (options.format()) {
            case TABLE -> new TableWriter(out, timestamps, options);
            case JSON -> new JsonLinesWriter(out, timestamps, options.stack());
        };
    }

    /** Column headers for the table; nothing for JSON. */
    void begin() throws IOException;

    void write(PacketEvent event) throws IOException;

    void writeSummary(TraceSummary.Report report) throws IOException;

    void flush() throws IOException;
}
