// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.cli;

import dev.packettrace.output.OutputFormat;
import dev.packettrace.output.OutputOptions;
import dev.packettrace.output.TimestampMode;
import dev.packettrace.tracer.Backend;
import dev.packettrace.tracer.EventStream;
import dev.packettrace.tracer.FunctionFilter;
import dev.packettrace.tracer.L4Proto;
import dev.packettrace.tracer.PcapFilter;
import dev.packettrace.tracer.TraceFilter;
import dev.packettrace.tracer.TracerConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code packettrace trace}: pwru's flags, traced on this machine until stopped. */
@Command(
        name = "trace",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        usageHelpAutoWidth = true,
        versionProvider = VersionProvider.class,
        description = {
            "Trace sk_buffs through the kernel, like pwru: every probe an skb passes, and every drop with its"
                    + " reason and kernel location.",
            "All given filters must match. Needs root (or CAP_BPF and CAP_PERFMON)."
        },
        footer = {
            "",
            "Output:",
            "  Events go to stdout, or to --output-file. The \"Attached N probes ...\" line",
            "  and errors go to stderr.",
            "  Table: [TIME] SKB CPU PROCESS [NETNS MARK IFACE PROTO LEN] [TUPLE] PROBE;",
            "  drops add reason=, location= and tuple=; --output-caller adds caller= to",
            "  function events. --output-stack prints the kernel stack under each event.",
            "  --output-tuple and --output-meta only shape the table.",
            "  JSON (--output-json), one object per line, fields:",
            "    time        absent (none), integer ns (relative, absolute), ISO-8601 (current)",
            "    skb         hex string \"0xffff...\"",
            "    cpu pid comm netns ifindex ifname mark len",
            "    proto       the ethertype as an integer (2048 = IPv4)",
            "    tuple       {saddr, daddr, sport, dport, l4proto}; omitted without a tuple",
            "    probe       a tracepoint (\"skb:kfree_skb\") or a kernel function (\"ip_rcv\")",
            "    caller      function events with --output-caller",
            "    dropReason  drops only;  location: when known;  stack: with --output-stack",
            "",
            "Summary:",
            "  When the trace stops (Ctrl-C, SIGTERM, --duration, --output-limit-lines) the",
            "  probes are detached and a summary follows the events ON THE SAME STREAM:",
            "  events, lost events, drops by reason and location, events per network",
            "  namespace and per probe. In JSON mode it is the last line:",
            "  {\"summary\":{...}}. With --output-summary-only or --output-events drops|none",
            "  the kernel counts every matched hit in per-CPU maps and the summary is",
            "  its count (\"countedBy\":\"kernel\"): a trace then costs a fraction of one",
            "  that prints every event.",
            "",
            "Backends:",
            "  The tracepoints always run (skb:kfree_skb gives drop reasons). Function-level",
            "  backends add every kernel function that takes an sk_buff (see --filter-func):",
            "  kprobe-multi (one link per sk_buff position; needs CONFIG_FPROBE), kprobe (one",
            "  per function, attached in parallel, refused ones skipped and counted), fentry",
            "  (BPF trampolines). auto tries them in that order and says which it took and why.",
            "",
            "Exit codes: 0 done, 1 the tracer failed (message on stderr), 2 bad flags.",
            "",
            "Examples:",
            "  packettrace trace --filter-netns /run/netns/blue --filter-proto tcp \\",
            "      --filter-dst-port 80 --output-tuple",
            "  packettrace trace --filter-dst-ip 10.0.0.0/8 --output-json --duration 30s",
            "  packettrace trace --filter-proto tcp --output-events drops --duration 1m",
            "  packettrace trace --filter-netns /run/netns/blue 'tcp and dst port 443 and not net 10.0.0.0/8'"
        })
public final class TraceCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    private final CliContext context;

    @Option(
            names = "--filter-netns",
            paramLabel = "NETNS",
            description = "Only this network namespace: /proc/PID/ns/net, /run/netns/NAME or inode:N. Repeat for more.")
    private List<String> netns = new ArrayList<>();

    @Option(
            names = "--filter-mark",
            paramLabel = "MARK",
            description = "Only skbs with this mark (decimal or 0x hex, 32-bit).")
    private Optional<String> mark = Optional.empty();

    @Option(
            names = "--filter-ifname",
            paramLabel = "NAME",
            description = "Only skbs on this interface (as named in the skb's namespace).")
    private Optional<String> ifname = Optional.empty();

    @Option(
            names = "--filter-src-ip",
            paramLabel = "IP[/LEN]",
            description = "Only this source address or CIDR, IPv4 or IPv6.")
    private Optional<String> srcIp = Optional.empty();

    @Option(
            names = "--filter-dst-ip",
            paramLabel = "IP[/LEN]",
            description = "Only this destination address or CIDR, IPv4 or IPv6.")
    private Optional<String> dstIp = Optional.empty();

    @Option(names = "--filter-src-port", paramLabel = "PORT", description = "Only this source port (1..65535).")
    private Optional<String> srcPort = Optional.empty();

    @Option(names = "--filter-dst-port", paramLabel = "PORT", description = "Only this destination port (1..65535).")
    private Optional<String> dstPort = Optional.empty();

    @Option(
            names = "--filter-proto",
            paramLabel = "PROTO",
            completionCandidates = ProtoNames.class,
            description = "Only this L4 protocol: ${COMPLETION-CANDIDATES}.")
    private Optional<String> proto = Optional.empty();

    @Option(
            names = "--filter-track-skb",
            description =
                    "Once an skb matched, follow it until it is freed, even where it no longer matches (e.g. after NAT).")
    private boolean trackSkb;

    @Parameters(
            arity = "0..*",
            paramLabel = "EXPRESSION",
            description =
                    "A pcap-filter expression, as tcpdump and pwru take it (e.g. 'tcp and dst port 443 and not net "
                            + "10.0.0.0/8'); several words are joined with spaces. Compiled by libpcap, run in the kernel on every "
                            + "probe, IPv4 and IPv6, and ANDed with the --filter-* flags.")
    private List<String> expression = new ArrayList<>();

    @Option(
            names = "--filter-func",
            paramLabel = "REGEX",
            description =
                    "Function-level backends: probe only the kernel functions whose whole name matches this RE2"
                            + " expression, e.g. 'ip_rcv' or 'ip_.*|nf_hook_slow'. Default: every function that takes an sk_buff.")
    private Optional<String> filterFunc = Optional.empty();

    @Option(names = "--output-tuple", description = "Table: add the TUPLE column, saddr:sport->daddr:dport(proto).")
    private boolean outputTuple;

    @Option(names = "--output-meta", description = "Table: add NETNS, MARK, IFACE, PROTO and LEN columns.")
    private boolean outputMeta;

    @Option(names = "--output-stack", description = "Capture and print the kernel stack of each event.")
    private boolean outputStack;

    @Option(
            names = "--output-caller",
            description =
                    "Function-level backends: show the kernel function that called each probed function (caller=).")
    private boolean outputCaller;

    @Option(names = "--output-json", description = "One JSON object per line instead of the table.")
    private boolean outputJson;

    @Option(
            names = "--output-file",
            paramLabel = "PATH",
            description = "Write events and the summary to PATH (created or truncated) instead of stdout.")
    private Optional<String> outputFile = Optional.empty();

    @Option(names = "--output-limit-lines", paramLabel = "N", description = "Stop after N events were written.")
    private Optional<String> limitLines = Optional.empty();

    @Option(
            names = "--output-events",
            paramLabel = "WHICH",
            completionCandidates = EventsNames.class,
            description = "Which matched hits are printed as events: ${COMPLETION-CANDIDATES} (default all). With drops"
                    + " or none the kernel counts every hit and the summary comes from its counts.")
    private Optional<String> outputEvents = Optional.empty();

    @Option(
            names = "--output-summary-only",
            description =
                    "Print no events, only the summary, counted in the kernel" + " (the same as --output-events none).")
    private boolean summaryOnly;

    @Option(
            names = "--output-events-per-second",
            paramLabel = "N",
            description = "At most N events a second leave the"
                    + " kernel; the rest are counted (overBudget in the summary), not printed.")
    private Optional<String> eventsPerSecond = Optional.empty();

    @Option(
            names = "--timestamp",
            paramLabel = "MODE",
            defaultValue = "none",
            completionCandidates = TimestampNames.class,
            description =
                    "Time column: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}). relative: since the first event;"
                            + " absolute: kernel monotonic ns; current: wall clock.")
    private String timestamp;

    @Option(
            names = "--backend",
            paramLabel = "NAME",
            defaultValue = "auto",
            completionCandidates = BackendNames.class,
            description =
                    "How to attach: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}: the best this kernel supports).")
    private String backend;

    @Option(
            names = "--duration",
            paramLabel = "DURATION",
            description =
                    "Stop after this long, e.g. 30s, 5m, 1h, 500ms (above 0, at most 24h). Default: until Ctrl-C.")
    private Optional<String> duration = Optional.empty();

    @Option(
            names = "--ring-buffer-size",
            paramLabel = "BYTES",
            defaultValue = "" + TracerConfig.DEFAULT_RING_BUFFER_BYTES,
            description = "BPF ring buffer size, a power of two; K, M, G suffixes allowed (default ${DEFAULT-VALUE})."
                    + " Events that do not fit are counted as lost.")
    private String ringBufferSize;

    public TraceCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        TraceRun traceRun;
        try {
            traceRun = traceRun();
        } catch (UsageException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        TraceRunner runner = context.newRunner();
        if (traceRun.output().file().isEmpty()) {
            runWith(runner, traceRun, context.out());
            return 0;
        }
        try (OutputStream file = openOutputFile(traceRun.output().file().get())) {
            runWith(runner, traceRun, file);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot close --output-file '" + traceRun.output().file().get() + "': " + e.getMessage(), e);
        }
        return 0;
    }

    private void runWith(TraceRunner runner, TraceRun traceRun, OutputStream out) {
        SignalStop signals = context.stopOnSignals(runner);
        try {
            runner.run(traceRun, out);
        } finally {
            signals.close();
        }
    }

    private OutputStream openOutputFile(Path path) {
        try {
            return Files.newOutputStream(
                    path, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        } catch (IOException e) {
            String why = e instanceof NoSuchFileException
                    ? "its directory does not exist"
                    : e instanceof AccessDeniedException
                            ? "permission denied"
                            : e instanceof FileSystemException fse && fse.getReason() != null
                                    ? fse.getReason()
                                    : e.toString();
            throw new ParameterException(
                    spec.commandLine(),
                    new UsageException("--output-file", path.toString(), "cannot be opened for writing: " + why)
                            .getMessage());
        }
    }

    /** Compiled before anything is loaded: a bad expression fails with libpcap's message and exit code 2. */
    private static PcapFilter expression(String text) {
        try {
            return PcapFilter.compile(text);
        } catch (IllegalArgumentException e) {
            throw UsageException.withMessage("EXPRESSION", "'" + text + "': " + e.getMessage());
        }
    }

    /** Builds the run from the parsed flags; every bad value is a UsageException naming its flag. */
    TraceRun traceRun() {
        Set<Long> inodes = new LinkedHashSet<>();
        for (String n : netns) {
            inodes.add(context.netns().resolve("--filter-netns", n));
        }
        if (inodes.size() > TraceFilter.MAX_NETNS) {
            throw new UsageException(
                    "--filter-netns",
                    netns.size() + " values",
                    "is more than the " + TraceFilter.MAX_NETNS + " namespaces one trace can filter");
        }
        TraceFilter filter = new TraceFilter(
                inodes,
                mark.map(m -> OptionalLong.of(FlagParser.mark("--filter-mark", m)))
                        .orElse(OptionalLong.empty()),
                ifname.map(n -> FlagParser.ifname("--filter-ifname", n)),
                srcIp.map(ip -> FlagParser.ipPrefix("--filter-src-ip", ip)),
                dstIp.map(ip -> FlagParser.ipPrefix("--filter-dst-ip", ip)),
                port("--filter-src-port", srcPort),
                port("--filter-dst-port", dstPort),
                proto.map(p -> FlagParser.proto("--filter-proto", p)),
                trackSkb,
                expression.isEmpty() ? Optional.empty() : Optional.of(expression(String.join(" ", expression))));
        Backend chosen = FlagParser.backend("--backend", backend);
        FunctionFilter functions = filterFunc
                .map(f -> FlagParser.functionFilter("--filter-func", f))
                .orElse(FunctionFilter.all());
        if (chosen == Backend.TRACEPOINT && filterFunc.isPresent()) {
            throw new UsageException(
                    "--filter-func",
                    filterFunc.get(),
                    "selects kernel functions to probe, but --backend tracepoint probes none; use auto, kprobe-multi, kprobe or fentry");
        }
        if (chosen == Backend.TRACEPOINT && outputCaller) {
            throw UsageException.withMessage(
                    "--output-caller",
                    "function probes report their caller, but --backend tracepoint"
                            + " probes no functions (drops carry location= instead)");
        }
        TracerConfig config = new TracerConfig(
                        filter,
                        chosen,
                        outputStack,
                        FlagParser.ringBufferBytes("--ring-buffer-size", ringBufferSize),
                        outputCaller,
                        functions)
                .withStream(stream());
        OutputOptions output = new OutputOptions(
                outputJson ? OutputFormat.JSON : OutputFormat.TABLE,
                FlagParser.timestamp("--timestamp", timestamp),
                outputTuple,
                outputMeta,
                outputStack,
                outputFile.map(f -> {
                    if (f.isBlank()) {
                        throw new UsageException("--output-file", f, "is empty");
                    }
                    return Path.of(f);
                }),
                limitLines
                        .map(l -> OptionalLong.of(FlagParser.lineLimit("--output-limit-lines", l)))
                        .orElse(OptionalLong.empty()));
        Optional<Duration> runFor = duration.map(d -> DurationParser.parse("--duration", d));
        return new TraceRun(config, output, runFor);
    }

    private EventStream stream() {
        EventStream.Events events =
                outputEvents.map(e -> FlagParser.events("--output-events", e)).orElse(EventStream.Events.ALL);
        if (summaryOnly && outputEvents.isPresent() && events != EventStream.Events.NONE) {
            throw UsageException.withMessage(
                    "--output-summary-only",
                    "prints no events, but --output-events " + outputEvents.get() + " asks for some; give one of them");
        }
        long perSecond = eventsPerSecond
                .map(n -> FlagParser.eventsPerSecond("--output-events-per-second", n))
                .orElse(0L);
        return EventStream.of(summaryOnly ? EventStream.Events.NONE : events, perSecond);
    }

    private static OptionalInt port(String flag, Optional<String> value) {
        return value.map(v -> OptionalInt.of(FlagParser.port(flag, v))).orElse(OptionalInt.empty());
    }

    static final class ProtoNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(L4Proto.values()).map(L4Proto::flagName).iterator();
        }
    }

    static final class EventsNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(EventStream.Events.values())
                    .map(EventStream.Events::flagName)
                    .iterator();
        }
    }

    static final class TimestampNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(TimestampMode.values())
                    .map(TimestampMode::flagName)
                    .iterator();
        }
    }

    /** Every Backend, so a new backend shows up in --help and is accepted without touching this class. */
    static final class BackendNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(Backend.values()).map(Backend::flagName).iterator();
        }
    }
}
