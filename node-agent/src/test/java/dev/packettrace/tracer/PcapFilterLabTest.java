// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packettrace.kernel.KernelSymbols;
import dev.packettrace.lab.LabAddress;
import dev.packettrace.lab.LabNamespace;
import dev.packettrace.lab.NetLab;
import dev.packettrace.testing.Eventually;
import dev.packettrace.testing.Privileged;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * pcap-filter expressions in the kernel against tcpdump's verdicts on the same packets: one veth between two
 * namespaces, one burst of TCP, UDP and ICMP traffic over IPv4 and IPv6, captured unfiltered by tcpdump on the
 * veth end and traced by two tracers whose slots hold the expressions under test. For each expression, the
 * packets the tracer's verdict passed where the veth end received them (net:netif_receive_skb, data at the
 * network header, the MAC header before it) or sent them (net:net_dev_start_xmit, data at the MAC header)
 * must be exactly those {@code tcpdump -r capture -w matched EXPRESSION} keeps, counted per tuple.
 *
 * <p>The end of the burst is a sentinel datagram, which both tracers watch for in a slot of their own and
 * which is looked for in tcpdump's capture: nothing is compared until both have seen it, and only what came
 * before it counts.
 */
@Tag("privileged")
class PcapFilterLabTest {

    static final List<String> EXPRESSIONS = List.of(
            "tcp",
            "udp",
            "icmp",
            "ip6",
            "tcp and dst port 443",
            "port 53 or port 5353",
            "host 10.199.7.129",
            "src net 10.199.7.128/25",
            "tcp and dst port 443 and not net 10.199.7.128/25",
            "tcp[tcpflags] & tcp-syn != 0",
            "tcp[tcpflags] & (tcp-rst|tcp-fin) != 0",
            "icmp6 and ip6[40] == 128",
            "ip and not tcp",
            "less 80");
    static final int SENTINEL_PORT = 9;
    static final String SENTINEL = "udp dst port " + SENTINEL_PORT;
    static final Set<String> COUNTED_PROBES = Set.of("net:netif_receive_skb", "net:net_dev_start_xmit");
    static final String IF_A = "pa";
    static final String IF_B = "pb";
    private static final Duration DEADLINE = Duration.ofSeconds(20);

    private static AddressSymbolizer symbols;

    @TempDir
    Path tmp;

    @BeforeAll
    static void root() {
        Privileged.requireRoot();
        symbols = KernelSymbols.load()::symbolize;
    }

    @Test
    void verdictsEqualTcpdumpsOnTheSameVeth() throws Exception {
        try (NetLab lab = NetLab.create()) {
            LabNamespace a = lab.addNamespace("a");
            LabNamespace b = lab.addNamespace("b");
            lab.addVeth(a, IF_A, b, IF_B);
            lab.addAddress(a, IF_A, LabAddress.parse("10.199.7.1/24"));
            lab.addAddress(a, IF_A, LabAddress.parse("10.199.7.129/24"));
            lab.addAddress(a, IF_A, LabAddress.parse("fd00:199:7::1/64"));
            lab.addAddress(b, IF_B, LabAddress.parse("10.199.7.2/24"));
            lab.addAddress(b, IF_B, LabAddress.parse("fd00:199:7::2/64"));
            InetAddress b4 = InetAddress.getByName("10.199.7.2");
            InetAddress b6 = InetAddress.getByName("fd00:199:7::2");
            Set<InetAddress> unicast = Set.of(
                    InetAddress.getByName("10.199.7.1"),
                    InetAddress.getByName("10.199.7.129"),
                    InetAddress.getByName("fd00:199:7::1"),
                    b4,
                    b6);
            lab.listenTcp(b, b4, 443);
            lab.listenTcp(b, b6, 443);

            // two tracers of seven expressions and the sentinel each, attached before the capture starts
            int half = EXPRESSIONS.size() / 2;
            List<List<String>> groups =
                    List.of(EXPRESSIONS.subList(0, half), EXPRESSIONS.subList(half, EXPRESSIONS.size()));
            List<Traced> tracers = new ArrayList<>();
            Path capture = tmp.resolve("all.pcap");
            Process tcpdump = null;
            try {
                for (List<String> group : groups) {
                    tracers.add(Traced.start(b, group));
                }
                tcpdump = startCapture(b, capture);

                // the burst, from a to b
                assertTrue(lab.tcpConnect(a, b4, 443, Duration.ofSeconds(2)), "TCP to the v4 listener");
                assertTrue(lab.tcpConnect(a, b6, 443, Duration.ofSeconds(2)), "TCP to the v6 listener");
                assertFalse(lab.tcpConnect(a, b4, 80, Duration.ofSeconds(2)), "TCP to a closed port is reset");
                lab.exec(
                                a,
                                List.of("nc", "-z", "-n", "-w", "2", "-s", "10.199.7.129", b4.getHostAddress(), "443"),
                                Duration.ofSeconds(5))
                        .requireSuccess();
                lab.sendUdp(a, b4, 53, "dns?".getBytes(StandardCharsets.US_ASCII));
                lab.sendUdp(a, b6, 5353, "mdns?".getBytes(StandardCharsets.US_ASCII));
                assertTrue(lab.ping(a, b4, 1, Duration.ofSeconds(2)).allReplied(), "ping");
                assertTrue(lab.ping(a, b6, 1, Duration.ofSeconds(2)).allReplied(), "ping6");
                lab.sendUdp(a, b4, SENTINEL_PORT, "end".getBytes(StandardCharsets.US_ASCII));

                for (Traced t : tracers) {
                    t.awaitSentinel();
                }
                Eventually.await(
                        DEADLINE,
                        () -> Pcap.read(capture).stream().anyMatch(PcapFilterLabTest::isSentinel),
                        () -> "the sentinel in tcpdump's capture " + capture);
            } finally {
                if (tcpdump != null) {
                    tcpdump.destroy();
                    tcpdump.waitFor(10, TimeUnit.SECONDS);
                }
                tracers.forEach(Traced::close);
            }

            List<Pcap.Record> all = Pcap.read(capture);
            double cutoff = all.stream()
                    .filter(PcapFilterLabTest::isSentinel)
                    .findFirst()
                    .orElseThrow()
                    .time();
            Predicate<Tuple> counted =
                    t -> unicast.contains(t.saddr()) && unicast.contains(t.daddr()) && !isSentinel(t);
            Map<String, Map<String, Integer>> kernel = new LinkedHashMap<>();
            Map<String, Map<String, Integer>> tcpdumps = new LinkedHashMap<>();
            for (int g = 0; g < groups.size(); g++) {
                for (String expression : groups.get(g)) {
                    kernel.put(expression, tracers.get(g).counts(expression, counted));
                    tcpdumps.put(expression, tcpdumpCounts(capture, expression, cutoff, counted));
                }
            }
            Map<String, Integer> everything =
                    counts(all.stream().filter(r -> r.time() < cutoff).toList(), counted);
            StringBuilder report = new StringBuilder("packets before the sentinel: " + everything + "\n");
            kernel.forEach((e, k) ->
                    report.append(String.format("%-50s kernel %s%n%-50s tcpdump %s%n", e, k, "", tcpdumps.get(e))));
            for (String expression : EXPRESSIONS) {
                Map<String, Integer> expected = tcpdumps.get(expression);
                assertFalse(expected.isEmpty(), "'" + expression + "' matches some of the traffic\n" + report);
                assertTrue(!expected.equals(everything), "'" + expression + "' rejects some of the traffic\n" + report);
                assertEquals(
                        expected,
                        kernel.get(expression),
                        "'" + expression + "': the kernel's verdicts are tcpdump's\n" + report);
            }
            System.out.println(report);
        }
    }

    private static boolean isSentinel(Tuple t) {
        return t.l4proto() == 17 && t.dport() == SENTINEL_PORT;
    }

    private static boolean isSentinel(Pcap.Record r) {
        return r.tuple().map(PcapFilterLabTest::isSentinel).orElse(false);
    }

    static String key(Tuple t) {
        return L4Proto.ofNumber(t.l4proto()).map(L4Proto::flagName).orElse(Integer.toString(t.l4proto())) + " "
                + t.saddr().getHostAddress() + ":" + t.sport() + ">" + t.daddr().getHostAddress() + ":" + t.dport();
    }

    private static Map<String, Integer> counts(List<Pcap.Record> records, Predicate<Tuple> counted) {
        Map<String, Integer> out = new TreeMap<>();
        records.stream()
                .flatMap(r -> r.tuple().stream())
                .filter(counted)
                .forEach(t -> out.merge(key(t), 1, Integer::sum));
        return out;
    }

    /** tcpdump's verdicts: the capture filtered offline by tcpdump itself with the same expression. */
    private Map<String, Integer> tcpdumpCounts(Path capture, String expression, double cutoff, Predicate<Tuple> counted)
            throws IOException, InterruptedException {
        Path matched = Files.createTempFile(tmp, "matched", ".pcap");
        Process p = new ProcessBuilder("tcpdump", "-r", capture.toString(), "-w", matched.toString(), expression)
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(
                p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "tcpdump -r ... '" + expression + "': " + out);
        return counts(Pcap.read(matched).stream().filter(r -> r.time() < cutoff).toList(), counted);
    }

    /** tcpdump on the veth end in b, unfiltered, every packet written at once; returns once it listens. */
    private static Process startCapture(LabNamespace ns, Path file) throws Exception {
        Process p = new ProcessBuilder(
                        "ip",
                        "netns",
                        "exec",
                        ns.name(),
                        "tcpdump",
                        "-i",
                        IF_B,
                        "-n",
                        "-U",
                        "--immediate-mode",
                        "-w",
                        file.toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
        String line = CompletableFuture.supplyAsync(() -> {
                    try {
                        String l;
                        while ((l = err.readLine()) != null) {
                            if (l.contains("listening on")) {
                                return l;
                            }
                        }
                        return "tcpdump exited";
                    } catch (IOException e) {
                        return e.toString();
                    }
                })
                .get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        assertTrue(line.contains("listening on " + IF_B), "tcpdump: " + line);
        Thread.ofVirtual().start(() -> {
            try {
                err.transferTo(java.io.Writer.nullWriter());
            } catch (IOException ignored) {
                // tcpdump ended
            }
        });
        return p;
    }

    /** One tracer on b's namespace with a group of expressions and the sentinel in its slots. */
    private record Traced(TracerSession session, List<PacketEvent> events, List<String> expressions)
            implements AutoCloseable {

        static Traced start(LabNamespace ns, List<String> expressions) {
            List<PcapFilter> slots = new ArrayList<>();
            expressions.forEach(e -> slots.add(PcapFilter.compile(e)));
            slots.add(PcapFilter.compile(SENTINEL));
            TracerConfig config = new TracerConfig(
                            TraceFilter.all().withNetns(Set.of(ns.inode())),
                            Backend.TRACEPOINT,
                            false,
                            TracerConfig.DEFAULT_RING_BUFFER_BYTES)
                    .withExpressions(new ExpressionSlots(slots, true));
            List<PacketEvent> events = new CopyOnWriteArrayList<>();
            return new Traced(TracerSession.start(config, events::add, symbols), events, expressions);
        }

        void awaitSentinel() {
            long end = System.nanoTime() + DEADLINE.toNanos();
            while (sentinelAt() < 0) {
                assertTrue(
                        System.nanoTime() < end,
                        "the sentinel within " + DEADLINE + "; saw " + events.size() + " events");
                session.poll(Duration.ofMillis(100));
            }
        }

        private int sentinelAt() {
            for (int i = 0; i < events.size(); i++) {
                PacketEvent e = events.get(i);
                if (e.matchedExpressions().contains(SENTINEL)
                        && e.probe().equals("net:netif_receive_skb")
                        && e.ifname().equals(IF_B)) {
                    return i;
                }
            }
            return -1;
        }

        Map<String, Integer> counts(String expression, Predicate<Tuple> counted) {
            Map<String, Integer> out = new TreeMap<>();
            events.subList(0, sentinelAt()).stream()
                    .filter(e -> e.matchedExpressions().contains(expression)
                            && COUNTED_PROBES.contains(e.probe())
                            && e.ifname().equals(IF_B))
                    .flatMap(e -> e.tuple().stream())
                    .filter(counted)
                    .forEach(t -> out.merge(key(t), 1, Integer::sum));
            return out;
        }

        @Override
        public void close() {
            session.close();
        }
    }

    /** Just enough of the pcap file format: microsecond records of Ethernet frames, and their IP tuples. */
    static final class Pcap {

        record Record(double time, byte[] frame) {
            Optional<Tuple> tuple() {
                ByteBuffer f = ByteBuffer.wrap(frame).order(ByteOrder.BIG_ENDIAN);
                if (frame.length < 14) {
                    return Optional.empty();
                }
                int type = Short.toUnsignedInt(f.getShort(12));
                try {
                    if (type == 0x0800 && frame.length >= 34) {
                        int ihl = (f.get(14) & 0xf) * 4;
                        int proto = Byte.toUnsignedInt(f.get(23));
                        boolean firstFragment = (f.getShort(20) & 0x1fff) == 0;
                        return Optional.of(tuple(f, 26, 30, 4, proto, firstFragment ? 14 + ihl : -1));
                    }
                    if (type == 0x86dd && frame.length >= 54) {
                        return Optional.of(tuple(f, 22, 38, 16, Byte.toUnsignedInt(f.get(20)), 54));
                    }
                } catch (java.net.UnknownHostException e) {
                    throw new IllegalStateException(e);
                }
                return Optional.empty();
            }

            private Tuple tuple(ByteBuffer f, int src, int dst, int size, int proto, int l4)
                    throws java.net.UnknownHostException {
                byte[] s = new byte[size];
                byte[] d = new byte[size];
                f.get(src, s);
                f.get(dst, d);
                int sport = 0;
                int dport = 0;
                if ((proto == 6 || proto == 17) && l4 > 0 && frame.length >= l4 + 4) {
                    sport = Short.toUnsignedInt(f.getShort(l4));
                    dport = Short.toUnsignedInt(f.getShort(l4 + 2));
                }
                return new Tuple(InetAddress.getByAddress(s), InetAddress.getByAddress(d), sport, dport, proto);
            }
        }

        static List<Record> read(Path file) {
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(file);
            } catch (IOException e) {
                return List.of();
            }
            List<Record> out = new ArrayList<>();
            if (bytes.length < 24) {
                return out;
            }
            ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            if (b.getInt(0) != 0xa1b2c3d4) {
                throw new IllegalStateException("not a little-endian microsecond pcap file: " + file);
            }
            int at = 24;
            while (at + 16 <= bytes.length) {
                long sec = Integer.toUnsignedLong(b.getInt(at));
                long usec = Integer.toUnsignedLong(b.getInt(at + 4));
                int incl = b.getInt(at + 8);
                if (at + 16 + incl > bytes.length) {
                    break; // a record still being written
                }
                byte[] frame = new byte[incl];
                b.get(at + 16, frame);
                out.add(new Record(sec + usec / 1e6, frame));
                at += 16 + incl;
            }
            return out;
        }
    }
}
