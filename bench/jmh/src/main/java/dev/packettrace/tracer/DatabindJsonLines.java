// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SequenceWriter;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The peer of {@link dev.packettrace.output.JsonLinesWriter}: the same JSON lines written the usual way, by mapping
 * each event to a plain record and letting Jackson databind's ObjectMapper serialize it by reflection. Field names,
 * order and presence match the streaming writer's (with {@code --timestamp relative}); IPv6 addresses come out in
 * InetAddress's uncompressed form ("fd00:0:0:0:0:0:0:1"), which is what the straightforward code gives.
 */
final class DatabindJsonLines implements AutoCloseable {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final SequenceWriter out;
    private boolean haveFirst;
    private long firstNs;

    DatabindJsonLines(OutputStream stream) throws IOException {
        this.out = MAPPER.writerFor(Line.class).withRootValueSeparator("\n").writeValues(stream);
    }

    void write(PacketEvent e) throws IOException {
        if (!haveFirst) {
            haveFirst = true;
            firstNs = e.timestampNs();
        }
        Tuple t = e.tuple().orElse(null);
        out.write(new Line(
                e.timestampNs() - firstNs,
                "0x" + Long.toHexString(e.skb()),
                e.cpu(),
                e.pid(),
                e.comm(),
                e.netns(),
                e.ifindex(),
                e.ifname(),
                e.mark(),
                e.len(),
                e.protocol(),
                t == null
                        ? null
                        : new TupleLine(
                                t.saddr().getHostAddress(),
                                t.daddr().getHostAddress(),
                                t.sport(),
                                t.dport(),
                                t.l4protoName()),
                e.probe(),
                e.dropReason().orElse(null),
                e.location().orElse(null)));
    }

    void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    /** One output line; absent optionals are left out as the streaming writer leaves them out. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Line(
            long time,
            String skb,
            int cpu,
            int pid,
            String comm,
            long netns,
            int ifindex,
            String ifname,
            long mark,
            int len,
            int proto,
            TupleLine tuple,
            String probe,
            String dropReason,
            String location) {}

    public record TupleLine(String saddr, String daddr, int sport, int dport, String l4proto) {}
}
