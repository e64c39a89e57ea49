// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.output;

import dev.packettrace.tracer.PacketEvent;
import dev.packettrace.tracer.Tuple;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The human table, one line per event:
 * <pre>
 * [TIME] SKB CPU PROCESS [NETNS MARK IFACE PROTO LEN] [TUPLE] PROBE [caller=C] [reason=R] [location=L] [tuple=T]
 * </pre>
 * caller= appears on function events traced with --output-caller.
 * TIME appears unless --timestamp none; the bracketed NETNS..LEN block with --output-meta; TUPLE with
 * --output-tuple. Drops end with reason= and the kernel location; a drop's tuple is appended as tuple= even
 * without --output-tuple, because it is what one needs to know about a drop. With --output-stack the frames
 * follow the event, one per line, indented. Columns have a minimum width and grow (never truncate).
 */
public final class TableWriter implements EventWriter {

    /** The summary lists this many probes, busiest first; the JSON summary lists them all. */
    private static final int BUSIEST_PROBES = 10;

    private static final int W_SKB = 18;
    private static final int W_CPU = 3;
    private static final int W_PROCESS = 20;
    private static final int W_NETNS = 10;
    private static final int W_MARK = 10;
    private static final int W_IFACE = 16;
    private static final int W_PROTO = 6;
    private static final int W_LEN = 5;
    private static final int W_TUPLE = 44;

    private final Writer out;
    private final TimestampFormatter timestamps;
    private final OutputOptions options;
    private final StringBuilder line = new StringBuilder(256);
    private final AddressText address = new AddressText();

    public TableWriter(OutputStream out, TimestampFormatter timestamps, OutputOptions options) {
        this.out = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
        this.timestamps = timestamps;
        this.options = options;
    }

    @Override
    public void begin() throws IOException {
        line.setLength(0);
        if (timestamps.tableWidth() > 0) {
            cell("TIME", timestamps.tableWidth());
        }
        cell("SKB", W_SKB);
        cell("CPU", W_CPU);
        cell("PROCESS", W_PROCESS);
        if (options.meta()) {
            cell("NETNS", W_NETNS);
            cell("MARK", W_MARK);
            cell("IFACE", W_IFACE);
            cell("PROTO", W_PROTO);
            cell("LEN", W_LEN);
        }
        if (options.tuple()) {
            cell("TUPLE", W_TUPLE);
        }
        line.append("PROBE");
        endLine();
    }

    @Override
    public void write(PacketEvent e) throws IOException {
        line.setLength(0);
        int start;
        if (timestamps.tableWidth() > 0) {
            start = line.length();
            timestamps.appendTo(line, e.timestampNs());
            pad(start, timestamps.tableWidth());
        }
        start = line.length();
        line.append("0x").append(Long.toHexString(e.skb()));
        pad(start, W_SKB);
        start = line.length();
        line.append(e.cpu());
        pad(start, W_CPU);
        start = line.length();
        line.append('[').append(e.pid()).append("] ").append(e.comm().isEmpty() ? "<empty>" : e.comm());
        pad(start, W_PROCESS);
        if (options.meta()) {
            start = line.length();
            line.append(e.netns());
            pad(start, W_NETNS);
            start = line.length();
            line.append("0x").append(Long.toHexString(e.mark()));
            pad(start, W_MARK);
            start = line.length();
            appendIface(e);
            pad(start, W_IFACE);
            start = line.length();
            line.append("0x");
            String proto = Integer.toHexString(e.protocol());
            for (int i = proto.length(); i < 4; i++) {
                line.append('0');
            }
            line.append(proto);
            pad(start, W_PROTO);
            start = line.length();
            line.append(e.len());
            pad(start, W_LEN);
        }
        if (options.tuple()) {
            start = line.length();
            if (e.tuple().isPresent()) {
                appendTuple(e.tuple().get());
            } else {
                line.append('-');
            }
            pad(start, W_TUPLE);
        }
        line.append(e.probe());
        if (e.caller().isPresent()) {
            line.append(" caller=").append(e.caller().get());
        }
        if (e.dropReason().isPresent()) {
            line.append(" reason=").append(e.dropReason().get());
        }
        if (e.location().isPresent()) {
            line.append(" location=").append(e.location().get());
        }
        if (e.isDrop() && !options.tuple() && e.tuple().isPresent()) {
            line.append(" tuple=");
            appendTuple(e.tuple().get());
        }
        endLine();
        if (options.stack()) {
            for (String frame : e.stack()) {
                line.setLength(0);
                line.append("    ").append(frame);
                endLine();
            }
        }
    }

    /** ifname:ifindex like the kernel's own messages, the index alone when the name is unknown, "-" without a device. */
    private void appendIface(PacketEvent e) {
        if (!e.ifname().isEmpty()) {
            line.append(e.ifname()).append(':').append(e.ifindex());
        } else if (e.ifindex() != 0) {
            line.append(e.ifindex());
        } else {
            line.append('-');
        }
    }

    /** saddr:sport->daddr:dport(proto); IPv6 addresses in brackets so the port stays readable. */
    private void appendTuple(Tuple t) {
        appendEndpoint(t, true);
        line.append("->");
        appendEndpoint(t, false);
        line.append('(').append(ProtoNames.of(t.l4proto())).append(')');
    }

    private void appendEndpoint(Tuple t, boolean source) {
        var addr = source ? t.saddr() : t.daddr();
        int n = address.format(addr);
        boolean v6 = addr.getAddress().length == 16;
        if (v6) {
            line.append('[');
        }
        line.append(address.chars(), 0, n);
        if (v6) {
            line.append(']');
        }
        line.append(':').append(source ? t.sport() : t.dport());
    }

    @Override
    public void writeSummary(TraceSummary.Report r) throws IOException {
        out.write('\n');
        writeLine(String.format(
                Locale.ROOT,
                "Summary: events %d (printed %d), lost %d, drops %d; stopped after %.1f s: %s",
                r.events(),
                r.printed(),
                r.lost(),
                r.drops(),
                r.elapsed().toMillis() / 1000.0,
                r.stoppedBy().description()));
        if (r.kernelCounted()) {
            writeLine("Counted in the kernel: " + r.events() + " matched hits, of which " + r.printed()
                    + " were printed as events");
        }
        if (r.overBudget() > 0) {
            writeLine("NOTE: " + r.overBudget() + " matched hits were counted but not streamed: the event budget"
                    + " (--output-events-per-second) was spent.");
        }
        if (r.lost() > 0) {
            writeLine("WARNING: " + r.lost() + " events were lost because the ring buffer was full;"
                    + " raise --ring-buffer-size or narrow the filters.");
        }
        if (r.drops() > 0) {
            writeLine("Drops by reason and location:");
            writeLine(String.format(Locale.ROOT, "  %10s  %-32s %s", "COUNT", "REASON", "LOCATION"));
            for (TraceSummary.DropGroup d : r.dropGroups()) {
                writeLine(String.format(
                        Locale.ROOT,
                        "  %10d  %-32s %s",
                        d.count(),
                        d.reason(),
                        d.location().orElse("-")));
            }
            if (r.otherDrops() > 0) {
                writeLine(String.format(
                        Locale.ROOT,
                        "  %10d  (other: groups beyond the first %d)",
                        r.otherDrops(),
                        r.dropGroups().size()));
            }
        }
        if (!r.netns().isEmpty() || r.otherNetnsEvents() > 0) {
            writeLine("Events by network namespace:");
            writeLine(String.format(Locale.ROOT, "  %10s  %s", "COUNT", "NETNS"));
            for (TraceSummary.NetnsCount n : r.netns()) {
                writeLine(String.format(Locale.ROOT, "  %10d  %d", n.events(), n.netns()));
            }
            if (r.otherNetnsEvents() > 0) {
                writeLine(String.format(
                        Locale.ROOT,
                        "  %10d  (other: namespaces beyond the first %d)",
                        r.otherNetnsEvents(),
                        r.netns().size()));
            }
        }
        if (!r.probes().isEmpty()) {
            int shown = Math.min(BUSIEST_PROBES, r.probes().size());
            writeLine(
                    shown < r.probes().size()
                            ? "Events by probe (the busiest " + shown + " of "
                                    + r.probes().size() + "):"
                            : "Events by probe:");
            writeLine(String.format(Locale.ROOT, "  %10s  %s", "COUNT", "PROBE"));
            for (TraceSummary.ProbeCount p : r.probes().subList(0, shown)) {
                writeLine(String.format(Locale.ROOT, "  %10d  %s", p.events(), p.probe()));
            }
        }
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    private void cell(String text, int width) {
        int start = line.length();
        line.append(text);
        pad(start, width);
    }

    /** Pads the cell that began at start to width, then one separating space. */
    private void pad(int start, int width) {
        while (line.length() - start < width) {
            line.append(' ');
        }
        line.append(' ');
    }

    private void endLine() throws IOException {
        line.append('\n');
        out.append(line);
    }

    private void writeLine(String text) throws IOException {
        out.write(text);
        out.write('\n');
    }
}
