// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.agent;

import dev.packettrace.output.EventTags;
import dev.packettrace.output.JsonLinesWriter;
import dev.packettrace.output.TimestampFormatter;
import dev.packettrace.tracer.PacketEvent;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * One destination of JSON lines (stdout or a file), written from the agent's thread only. Several traces
 * may share one (the agent's default sink): each line carries its trace, pod and node tags. Buffered:
 * {@link #flush} after each batch of events.
 */
final class EventSink implements AutoCloseable {

    private final String name;
    private final OutputStream out;
    private final boolean ownsStream;
    private final JsonLinesWriter writer;

    private EventSink(String name, OutputStream out, boolean ownsStream, TimestampFormatter timestamps) {
        this.name = Objects.requireNonNull(name, "name");
        this.out = out;
        this.ownsStream = ownsStream;
        this.writer = new JsonLinesWriter(out, timestamps, false);
    }

    /** A sink over a stream the caller keeps open (standard output). */
    static EventSink borrowed(String name, OutputStream out, TimestampFormatter timestamps) {
        return new EventSink(name, out, false, timestamps);
    }

    /** A sink that closes its stream when closed (a file). */
    static EventSink owned(String name, OutputStream out, TimestampFormatter timestamps) {
        return new EventSink(name, out, true, timestamps);
    }

    /** Where the lines go, for messages: "stdout" or the file's path as the agent sees it. */
    String name() {
        return name;
    }

    void write(PacketEvent e, EventTags tags, boolean stack) throws IOException {
        writer.write(e, tags, stack);
    }

    void flush() throws IOException {
        writer.flush();
        out.flush();
    }

    @Override
    public void close() {
        try {
            flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot flush the event sink " + name, e);
        } finally {
            if (ownsStream) {
                try {
                    out.close();
                } catch (IOException e) {
                    // already reported by the flush above, or nothing left to lose
                }
            }
        }
    }
}
