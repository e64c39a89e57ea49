// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packettrace.output.ClockOffset;
import dev.packettrace.output.OutputFormat;
import dev.packettrace.output.OutputOptions;
import dev.packettrace.output.SampleEvents;
import dev.packettrace.output.StopReason;
import dev.packettrace.output.TimestampMode;
import dev.packettrace.testing.ScriptedTracers;
import dev.packettrace.tracer.Backend;
import dev.packettrace.tracer.EventStream;
import dev.packettrace.tracer.IpPrefix;
import dev.packettrace.tracer.L4Proto;
import dev.packettrace.tracer.PacketEvent;
import dev.packettrace.tracer.TraceFilter;
import dev.packettrace.tracer.TracerConfig;
import dev.packettrace.tracer.TracerException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PacketTraceCliTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** Wall clock = monotonic + this: monotonic 0 is 2025-01-02T03:04:05Z. */
    private static final long OFFSET = Instant.parse("2025-01-02T03:04:05Z").getEpochSecond() * 1_000_000_000L;

    private final FakeClock clock = new FakeClock();
    private ScriptedTracers factory = ScriptedTracers.scripted(clock::advance, oneEventPerPoll());

    private record Outcome(int exit, String out, String err) {}

    private static IntFunction<List<PacketEvent>> oneEventPerPoll() {
        return i -> List.of(i % 2 == 0 ? SampleEvents.tcp(i * 1_000L) : SampleEvents.drop(i * 1_000L));
    }

    private CliContext context(ByteArrayOutputStream out, ByteArrayOutputStream err) {
        return new CliContext(
                out,
                new PrintStream(err, true, StandardCharsets.UTF_8),
                factory,
                clock,
                () -> new ClockOffset(OFFSET, "test", 0),
                new NetnsResolver(),
                false);
    }

    private Outcome exec(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = PacketTraceCli.execute(context(out, err), args);
        return new Outcome(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Parses only: the request the trace command would run. */
    private TraceRun parse(String... traceArgs) {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        var cl = PacketTraceCli.commandLine(context(sink, sink));
        List<String> args = new ArrayList<>(List.of("trace"));
        args.addAll(List.of(traceArgs));
        var parsed = cl.parseArgs(args.toArray(String[]::new));
        TraceCommand trace = parsed.subcommand().commandSpec().commandLine().getCommand();
        return trace.traceRun();
    }

    @Test
    void everyFlagLandsInTheFilterConfigAndOutputOptions() throws IOException {
        long ownNetns = new NetnsResolver().resolve("--filter-netns", "/proc/self/ns/net");
        TraceRun r = parse(
                "--filter-netns",
                "/proc/self/ns/net",
                "--filter-netns",
                "inode:123",
                "--filter-mark",
                "0x2A",
                "--filter-ifname",
                "veth0",
                "--filter-src-ip",
                "10.1.2.3/8",
                "--filter-dst-ip",
                "fd00::1",
                "--filter-src-port",
                "5555",
                "--filter-dst-port",
                "80",
                "--filter-proto",
                "TCP",
                "--filter-track-skb",
                "--output-tuple",
                "--output-meta",
                "--output-stack",
                "--output-json",
                "--output-file",
                "/tmp/x.jsonl",
                "--output-limit-lines",
                "1000",
                "--timestamp",
                "current",
                "--backend",
                "tracepoint",
                "--duration",
                "1m30s",
                "--ring-buffer-size",
                "64K");

        TraceFilter f = r.config().filter();
        assertEquals(Set.of(ownNetns, 123L), f.netnsInodes());
        assertEquals(OptionalLong.of(42), f.mark());
        assertEquals(Optional.of("veth0"), f.ifname());
        assertEquals(Optional.of(IpPrefix.parse("10.0.0.0/8")), f.srcIp());
        assertEquals(Optional.of(IpPrefix.parse("fd00::1/128")), f.dstIp());
        assertEquals(OptionalInt.of(5555), f.srcPort());
        assertEquals(OptionalInt.of(80), f.dstPort());
        assertEquals(Optional.of(L4Proto.TCP), f.proto());
        assertTrue(f.trackSkb());
        assertEquals(Backend.TRACEPOINT, r.config().backend());
        assertTrue(r.config().captureStack(), "--output-stack makes the tracer capture stacks");
        assertEquals(65536, r.config().ringBufferBytes());
        assertEquals(
                new OutputOptions(
                        OutputFormat.JSON,
                        TimestampMode.CURRENT,
                        true,
                        true,
                        true,
                        Optional.of(Path.of("/tmp/x.jsonl")),
                        OptionalLong.of(1000)),
                r.output());
        assertEquals(Optional.of(Duration.ofSeconds(90)), r.duration());
    }

    @Test
    void aPositionalExpressionIsCompiledAndANDedWithTheFlags() {
        TraceRun r = parse("--filter-proto", "tcp", "tcp", "and", "dst port 443 and not net 10.0.0.0/8");
        TraceFilter f = r.config().filter();
        assertEquals(
                "tcp and dst port 443 and not net 10.0.0.0/8",
                f.expression().orElseThrow().expression());
        assertEquals(Optional.of(L4Proto.TCP), f.proto(), "the flags still apply");
        assertEquals(
                List.of(f.expression().orElseThrow()), r.config().expressions().filters());
        assertTrue(r.config().expressions().requireAny(), "the kernel reports only matching packets");
    }

    @Test
    void aBadExpressionExitsWithTwoAndLibpcapsMessageBeforeAnythingIsAttached() {
        Outcome o = exec("trace", "--duration", "1s", "tcp and and port 1");
        assertEquals(PacketTraceCli.EXIT_USAGE, o.exit());
        assertTrue(
                o.err().contains("EXPRESSION: 'tcp and and port 1': can't parse filter expression: syntax error"),
                o.err());
        assertTrue(factory.started().isEmpty(), "no tracer was started");
        Outcome port = exec("trace", "port 70000");
        assertEquals(PacketTraceCli.EXIT_USAGE, port.exit());
        assertTrue(port.err().contains("illegal port number 70000 > 65535"), port.err());
    }

    @Test
    void theOutputEventsFlagsChooseWhatTheKernelStreamsAndCounts() {
        assertEquals(EventStream.ALL, parse().config().stream(), "by default every hit is an event, counted in Java");
        EventStream summary = parse("--output-summary-only").config().stream();
        assertEquals(EventStream.Events.NONE, summary.events());
        assertTrue(summary.kernelCounts(), "the summary comes from the kernel's counts");
        assertEquals(
                EventStream.Events.DROPS,
                parse("--output-events", "drops").config().stream().events());
        EventStream budget = parse("--output-events-per-second", "500").config().stream();
        assertEquals(EventStream.Events.ALL, budget.events());
        assertEquals(500, budget.perSecond());
        assertTrue(budget.kernelCounts(), "what the budget refuses is counted");
        assertEquals(
                EventStream.Events.NONE,
                parse("--output-summary-only", "--output-events", "none").config().stream()
                        .events());
    }

    @Test
    void badOutputEventsFlagsExitWithTwoNamingTheFlag() {
        Outcome which = exec("trace", "--output-events", "some");
        assertEquals(PacketTraceCli.EXIT_USAGE, which.exit());
        assertTrue(
                which.err()
                        .contains("--output-events: 'some' is not a choice of events; choose one of: all, drops, none"),
                which.err());
        Outcome both = exec("trace", "--output-summary-only", "--output-events", "drops");
        assertEquals(PacketTraceCli.EXIT_USAGE, both.exit());
        assertTrue(
                both.err().contains("--output-summary-only: prints no events, but --output-events drops asks for some"),
                both.err());
        for (String bad : List.of("0", "-5", "many", "10000001")) {
            Outcome rate = exec("trace", "--output-events-per-second", bad);
            assertEquals(PacketTraceCli.EXIT_USAGE, rate.exit(), bad);
            assertTrue(rate.err().contains("--output-events-per-second: '" + bad + "'"), rate.err());
        }
        assertTrue(factory.started().isEmpty(), "no tracer was started");
    }

    @Test
    void withoutFlagsItTracesEverythingLikePwru() {
        TraceRun r = parse();
        assertEquals(TraceFilter.all(), r.config().filter());
        assertEquals(Backend.AUTO, r.config().backend());
        assertFalse(r.config().captureStack());
        assertEquals(TracerConfig.DEFAULT_RING_BUFFER_BYTES, r.config().ringBufferBytes());
        assertEquals(OutputOptions.defaults(), r.output());
        assertEquals(Optional.empty(), r.duration());
    }

    @Test
    void markAndRingBufferAcceptTheirOtherSpellings() {
        assertEquals(
                OptionalLong.of(4294967295L),
                parse("--filter-mark", "4294967295").config().filter().mark());
        assertEquals(
                OptionalLong.of(0),
                parse("--filter-mark", "0").config().filter().mark());
        assertEquals(
                OptionalLong.of(0xffffffffL),
                parse("--filter-mark", "0xffffffff").config().filter().mark());
        assertEquals(1 << 20, parse("--ring-buffer-size", "1048576").config().ringBufferBytes());
        assertEquals(1 << 30, parse("--ring-buffer-size", "1G").config().ringBufferBytes());
        assertEquals(4096, parse("--ring-buffer-size", "4k").config().ringBufferBytes());
        for (L4Proto p : L4Proto.values()) {
            assertEquals(
                    Optional.of(p),
                    parse("--filter-proto", p.flagName()).config().filter().proto());
        }
        for (TimestampMode m : TimestampMode.values()) {
            assertEquals(m, parse("--timestamp", m.flagName()).output().timestamp());
        }
        for (Backend b : Backend.values()) {
            assertEquals(b, parse("--backend", b.flagName()).config().backend());
        }
    }

    static Stream<Arguments> badInput() {
        String missing = "/run/netns/ptcli-missing-" + ProcessHandle.current().pid();
        return Stream.of(
                Arguments.of(List.of("--filter-netns", missing), "--filter-netns: '" + missing + "' does not exist"),
                Arguments.of(
                        List.of("--filter-netns", "/proc/self/ns/uts"),
                        "--filter-netns: '/proc/self/ns/uts' is a uts namespace"),
                Arguments.of(
                        List.of("--filter-netns", "/etc/hostname"),
                        "--filter-netns: '/etc/hostname' is not a network namespace"),
                Arguments.of(List.of("--filter-netns", "inode:x"), "--filter-netns: 'inode:x' has no decimal inode"),
                Arguments.of(
                        List.of("--filter-mark", "abc"),
                        "--filter-mark: 'abc' is not a decimal or 0x-prefixed hexadecimal number"),
                Arguments.of(
                        List.of("--filter-mark", "0x100000000"), "--filter-mark: '0x100000000' is larger than 32 bits"),
                Arguments.of(
                        List.of("--filter-mark", "4294967296"), "--filter-mark: '4294967296' is larger than 32 bits"),
                Arguments.of(List.of("--filter-mark", "-1"), "--filter-mark: '-1' is negative"),
                Arguments.of(List.of("--filter-mark", "0x"), "--filter-mark: '0x' is not a decimal"),
                Arguments.of(
                        List.of("--filter-ifname", "averyveryverylongname"),
                        "--filter-ifname: 'averyveryverylongname' must be 1 to 15 characters"),
                Arguments.of(List.of("--filter-ifname", ""), "--filter-ifname: '' must be 1 to 15 characters"),
                Arguments.of(
                        List.of("--filter-ifname", "eth/0"), "--filter-ifname: 'eth/0' is not a valid interface name"),
                Arguments.of(
                        List.of("--filter-src-ip", "10.0.0.300"),
                        "--filter-src-ip: '10.0.0.300': octet 300 is above 255"),
                Arguments.of(
                        List.of("--filter-src-ip", "example.com"),
                        "--filter-src-ip: 'example.com' is not an IPv4 or IPv6 address or CIDR"),
                Arguments.of(
                        List.of("--filter-dst-ip", "10.0.0.0/33"),
                        "--filter-dst-ip: '10.0.0.0/33': prefix length 33 is outside 0..32"),
                Arguments.of(
                        List.of("--filter-dst-ip", "fd00::/x"),
                        "--filter-dst-ip: 'fd00::/x': prefix length 'x' is not a number"),
                Arguments.of(List.of("--filter-src-port", "0"), "--filter-src-port: '0' is outside 1..65535"),
                Arguments.of(List.of("--filter-src-port", "65536"), "--filter-src-port: '65536' is outside 1..65535"),
                Arguments.of(List.of("--filter-src-port", "http"), "--filter-src-port: 'http' is not a port number"),
                Arguments.of(
                        List.of("--filter-dst-port", "99999999999999999999"),
                        "--filter-dst-port: '99999999999999999999' is outside 1..65535"),
                Arguments.of(List.of("--filter-dst-port", "-1"), "--filter-dst-port: '-1' is negative"),
                Arguments.of(
                        List.of("--filter-proto", "sctp"),
                        "--filter-proto: 'sctp' is not a supported protocol; choose one of: icmp, tcp, udp, icmp6"),
                Arguments.of(List.of("--output-limit-lines", "0"), "--output-limit-lines: '0' must be at least 1"),
                Arguments.of(
                        List.of("--output-limit-lines", "ten"), "--output-limit-lines: 'ten' is not a number of lines"),
                Arguments.of(
                        List.of("--timestamp", "sometimes"),
                        "--timestamp: 'sometimes' is not a timestamp mode; choose one of: none, relative, absolute, current"),
                Arguments.of(
                        List.of("--backend", "ebpf"),
                        "--backend: 'ebpf' is not a backend; choose one of: " + Backend.names()),
                Arguments.of(List.of("--duration", "30"), "--duration: '30' has no unit"),
                Arguments.of(List.of("--duration", "0s"), "--duration: '0s' must be longer than zero"),
                Arguments.of(List.of("--duration", "25h"), "--duration: '25h' is longer than the maximum of 24h"),
                Arguments.of(
                        List.of("--ring-buffer-size", "1000000"),
                        "--ring-buffer-size: '1000000' is not a power of two"),
                Arguments.of(
                        List.of("--ring-buffer-size", "1024"),
                        "--ring-buffer-size: '1024' is smaller than the minimum of 4096 bytes"),
                Arguments.of(
                        List.of("--ring-buffer-size", "2G"),
                        "--ring-buffer-size: '2G' is larger than the maximum of 1073741824 bytes"),
                Arguments.of(List.of("--ring-buffer-size", "big"), "--ring-buffer-size: 'big' is not a size in bytes"),
                Arguments.of(
                        List.of("--output-file", "/nonexistent-ptcli/x.json", "--duration", "1s"),
                        "--output-file: '/nonexistent-ptcli/x.json' cannot be opened for writing: its directory does not exist"),
                Arguments.of(
                        List.of("--output-file", "/proc", "--duration", "1s"),
                        "--output-file: '/proc' cannot be opened for writing"),
                Arguments.of(List.of("--output-file", ""), "--output-file: '' is empty"),
                Arguments.of(List.of("--filter-mark"), "Missing required parameter for option '--filter-mark'"),
                Arguments.of(List.of("--filter-bogus"), "Unknown option: '--filter-bogus'"));
    }

    @ParameterizedTest
    @MethodSource("badInput")
    void badInputExitsWithTwoAndNamesTheFlagAndTheValue(List<String> traceArgs, String expected) {
        List<String> args = new ArrayList<>(List.of("trace"));
        args.addAll(traceArgs);
        Outcome o = exec(args.toArray(String[]::new));

        assertEquals(2, o.exit(), o.err());
        assertTrue(o.err().startsWith(expected), "stderr:\n" + o.err());
        assertTrue(o.err().contains("Try 'packettrace trace --help'"), o.err());
        assertFalse(o.err().contains("Exception") || o.err().contains("\tat "), "no stack trace:\n" + o.err());
        assertTrue(factory.started().isEmpty(), "the tracer is not started on bad input");
        assertEquals("", o.out());
    }

    @Test
    void aTracerFailureExitsWithOneAndPrintsItsMessageAsIs() {
        String message = "packettrace needs root or CAP_BPF+CAP_PERFMON to load BPF programs (bpf() returned EPERM)";
        factory = null;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CliContext ctx = new CliContext(
                out,
                new PrintStream(err, true, StandardCharsets.UTF_8),
                (config, listener) -> {
                    throw new TracerException(TracerException.Reason.PERMISSION, message);
                },
                clock,
                () -> new ClockOffset(0, "test", 0),
                new NetnsResolver(),
                false);

        int exit = PacketTraceCli.execute(ctx, "trace", "--duration", "1s");

        assertEquals(1, exit);
        assertEquals(message + System.lineSeparator(), err.toString(StandardCharsets.UTF_8));
        assertEquals("", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aJsonRunWritesOnlyJsonToStdoutAndTheAttachLineToStderr() throws IOException {
        Outcome o = exec(
                "trace",
                "--output-json",
                "--duration",
                "300ms",
                "--timestamp",
                "current",
                "--filter-netns",
                "/proc/self/ns/net");

        assertEquals(0, o.exit(), o.err());
        assertTrue(o.err().startsWith("Attached 3 probes with the tracepoint backend"), o.err());
        String[] lines = o.out().split("\n");
        assertEquals(5, lines.length, "3 polls + the drain, one event each, then the summary:\n" + o.out());
        JsonNode first = MAPPER.readTree(lines[0]);
        assertEquals("2025-01-02T03:04:05.000000000Z", first.get("time").asText());
        JsonNode drop = MAPPER.readTree(lines[1]);
        assertEquals("NETFILTER_DROP", drop.get("dropReason").asText());
        JsonNode summary = MAPPER.readTree(lines[4]).get("summary");
        assertEquals(4, summary.get("events").asLong());
        assertEquals(2, summary.get("drops").asLong());
        assertEquals("duration", summary.get("stoppedBy").asText());
        assertTrue(factory.current().closed());
    }

    @Test
    void aTableRunStopsAtTheLineLimit() {
        Outcome o = exec("trace", "--output-limit-lines", "2", "--output-tuple", "--output-meta");

        assertEquals(0, o.exit(), o.err());
        List<String> lines = List.of(o.out().split("\n"));
        assertTrue(
                lines.get(0)
                        .matches("SKB\\s+CPU\\s+PROCESS\\s+NETNS\\s+MARK\\s+IFACE\\s+PROTO\\s+LEN\\s+TUPLE\\s+PROBE"),
                lines.get(0));
        assertTrue(lines.get(1).contains("10.0.0.1:5555->10.0.0.2:80(tcp)"), lines.get(1));
        assertTrue(lines.get(2).contains("reason=NETFILTER_DROP location=nf_hook_slow+0x9a"), lines.get(2));
        assertEquals("", lines.get(3));
        assertTrue(lines.get(4).startsWith("Summary: events 2 (printed 2), lost 0, drops 1"), lines.get(4));
        assertTrue(o.out().contains(StopReason.LIMIT.description()), o.out());
        assertEquals(2, factory.current().polls());
    }

    @Test
    void outputFileReceivesEventsAndSummaryInsteadOfStdout(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("trace.jsonl");
        Files.writeString(file, "old content that must be truncated\n".repeat(100));
        Outcome o = exec("trace", "--output-json", "--output-file", file.toString(), "--output-limit-lines", "3");

        assertEquals(0, o.exit(), o.err());
        assertEquals("", o.out());
        List<String> lines = Files.readAllLines(file);
        assertEquals(4, lines.size());
        for (String line : lines) {
            MAPPER.readTree(line);
        }
        assertTrue(MAPPER.readTree(lines.get(3)).has("summary"));
    }

    @Test
    void helpAndVersionExitWithZero() {
        Outcome top = exec("--help");
        assertEquals(0, top.exit());
        assertTrue(top.out().contains("trace"), top.out());

        Outcome trace = exec("trace", "--help");
        assertEquals(0, trace.exit());
        for (String flag : List.of(
                "--filter-netns",
                "--filter-mark",
                "--filter-ifname",
                "--filter-src-ip",
                "--filter-dst-ip",
                "--filter-src-port",
                "--filter-dst-port",
                "--filter-proto",
                "--filter-track-skb",
                "--output-tuple",
                "--output-meta",
                "--output-stack",
                "--output-json",
                "--output-file",
                "--output-limit-lines",
                "--timestamp",
                "--backend",
                "--duration",
                "--ring-buffer-size")) {
            assertTrue(trace.out().contains(flag), flag + " in help");
        }
        for (Backend b : Backend.values()) {
            assertTrue(trace.out().contains(b.flagName()), "backend " + b.flagName() + " in help");
        }
        assertTrue(trace.out().contains("{\"summary\":{...}}"), "help says where the summary goes");

        Outcome version = exec("--version");
        assertEquals(0, version.exit());
        assertTrue(version.out().startsWith("packettrace "), version.out());
    }

    @Test
    void noSubcommandIsAUsageError() {
        Outcome o = exec();
        assertEquals(2, o.exit());
        assertTrue(o.err().startsWith("Missing subcommand; choose one of: "), o.err());
        assertTrue(o.err().contains("trace"));
    }
}
