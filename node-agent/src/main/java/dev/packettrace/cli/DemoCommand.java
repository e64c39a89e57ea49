// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.cli;

import dev.packettrace.lab.DemoLab;
import dev.packettrace.lab.DemoTraffic;
import dev.packettrace.lab.NetLab;
import dev.packettrace.output.OutputFormat;
import dev.packettrace.output.OutputOptions;
import dev.packettrace.output.StopReason;
import dev.packettrace.output.TimestampMode;
import dev.packettrace.output.TraceSummary;
import dev.packettrace.tracer.PacketEvent;
import dev.packettrace.tracer.TraceFilter;
import dev.packettrace.tracer.Tracer;
import dev.packettrace.tracer.TracerConfig;
import dev.packettrace.tracer.TracerException;
import dev.packettrace.tracer.TracerFactory;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The zero-setup showcase: a throwaway lab of two namespaces joined by a veth pair, an iptables DROP
 * rule for one TCP port on the server, traffic to an allowed and the blocked port, a trace filtered to
 * the lab's namespaces, and a one-line verdict. The lab is removed whatever happens; a lab left by a
 * killed earlier run is reaped first.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Shows a packet drop end to end in a throwaway two-namespace lab (needs root).",
            "Builds namespaces client and server joined by a veth pair, drops TCP to one port on the server",
            "with iptables, sends traffic, traces it filtered to the lab's namespaces, and says where and why",
            "the packets died. The lab is removed afterwards, whatever happens."
        })
public final class DemoCommand implements java.util.concurrent.Callable<Integer> {

    private static final Duration ATTACH_DEADLINE = Duration.ofSeconds(30);
    private static final Duration DROP_DEADLINE = Duration.ofSeconds(10);
    private static final Duration BLOCKED_CONNECT_TIMEOUT = Duration.ofMillis(500);

    @Option(
            names = "--attempts",
            paramLabel = "N",
            defaultValue = "2",
            description = "Connection attempts per port (1..10, default ${DEFAULT-VALUE}).")
    private int attempts;

    @Option(names = "--output-json", description = "Write the trace as JSON lines instead of a table.")
    private boolean json;

    private final CliContext context;

    public DemoCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws Exception {
        if (attempts < 1 || attempts > 10) {
            throw new picocli.CommandLine.ParameterException(
                    new picocli.CommandLine(this),
                    new UsageException("--attempts", Integer.toString(attempts), "must be between 1 and 10")
                            .getMessage());
        }
        PrintStream status = context.err();
        List<String> reaped = NetLab.reapStale();
        if (!reaped.isEmpty()) {
            status.println(
                    "demo: removed namespaces left by an earlier run that was killed: " + String.join(", ", reaped));
        }
        try (DemoLab lab = DemoLab.start()) {
            status.printf(
                    "demo: lab %s: namespace client (netns %d, %s) --veth-- namespace server (netns %d, %s)%n",
                    lab.labId(),
                    lab.client().inode(),
                    lab.clientAddress().getHostAddress(),
                    lab.server().inode(),
                    lab.serverAddress().getHostAddress());
            status.printf(
                    "demo: server accepts TCP %d; iptables on the server drops TCP %d%n",
                    lab.allowedPort(), lab.blockedPort());
            return trace(lab, status);
        }
    }

    private int trace(DemoLab lab, PrintStream status) throws Exception {
        TraceFilter filter = new TraceFilter(
                Set.of(lab.client().inode(), lab.server().inode()),
                OptionalLong.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                java.util.OptionalInt.empty(),
                java.util.OptionalInt.empty(),
                Optional.empty(),
                false);
        OutputOptions output = new OutputOptions(
                json ? OutputFormat.JSON : OutputFormat.TABLE,
                TimestampMode.RELATIVE,
                true,
                true,
                false,
                Optional.empty(),
                OptionalLong.empty());
        TraceRun traceRun = new TraceRun(TracerConfig.of(filter), output, Optional.empty());

        CompletableFuture<Void> attached = new CompletableFuture<>();
        TracerFactory sessions = (config, listener) -> {
            Tracer s = context.sessions().start(config, listener);
            attached.complete(null);
            return s;
        };
        List<PacketEvent> drops = new CopyOnWriteArrayList<>();
        TraceRunner runner = new TraceRunner(sessions, context.nanoClock(), context.wallClock(), status);
        CompletableFuture<RunResult> run = CompletableFuture.supplyAsync(
                () -> runner.run(traceRun, context.out(), e -> {
                    if (e.isDrop()
                            && e.netns() == lab.server().inode()
                            && e.tuple()
                                    .map(t -> t.dport() == lab.blockedPort())
                                    .orElse(false)) {
                        drops.add(e);
                        runner.requestStop();
                    }
                }),
                r -> Thread.ofPlatform().name("demo-trace").start(r));

        try (SignalStop _ = context.stopOnSignals(runner)) {
            awaitAttached(attached, run);
            DemoTraffic traffic = lab.generateTraffic(attempts, BLOCKED_CONNECT_TIMEOUT);
            status.printf(
                    "demo: traffic sent: %d/%d connections to :%d succeeded, %d/%d to :%d succeeded%n",
                    traffic.allowedConnected(),
                    traffic.allowedAttempts(),
                    lab.allowedPort(),
                    traffic.blockedConnected(),
                    traffic.blockedAttempts(),
                    lab.blockedPort());
            RunResult result = awaitResult(runner, run);
            status.println(verdict(lab, traffic, drops, result.summary()));
            return drops.isEmpty() ? PacketTraceCli.EXIT_FAILURE : PacketTraceCli.EXIT_OK;
        }
    }

    private static void awaitAttached(CompletableFuture<Void> attached, CompletableFuture<RunResult> run)
            throws Exception {
        CompletableFuture.anyOf(attached, run).get(ATTACH_DEADLINE.toSeconds(), TimeUnit.SECONDS);
        if (!attached.isDone()) {
            run.join(); // the run ended before attaching: rethrows its failure
            throw new TracerException(TracerException.Reason.ATTACH, "the tracer stopped before it attached");
        }
    }

    /** Waits for the drop to be seen (the observer stops the run), or gives up after a deadline. */
    private static RunResult awaitResult(TraceRunner runner, CompletableFuture<RunResult> run) throws Exception {
        try {
            return run.get(DROP_DEADLINE.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            runner.requestStop(StopReason.DURATION);
            return run.get(ATTACH_DEADLINE.toSeconds(), TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    static String verdict(DemoLab lab, DemoTraffic traffic, List<PacketEvent> drops, TraceSummary.Report summary) {
        if (drops.isEmpty()) {
            return "Verdict: no drop of TCP " + lab.blockedPort() + " was seen in the server's namespace ("
                    + summary.events() + " events traced, " + summary.lost() + " lost): the tracer missed it";
        }
        PacketEvent d = drops.getFirst();
        String where = d.location().orElse("an unknown kernel location");
        String function = where.contains("+") ? where.substring(0, where.indexOf('+')) : where;
        return "Verdict: TCP " + lab.clientAddress().getHostAddress() + " -> "
                + lab.serverAddress().getHostAddress() + ":"
                + lab.blockedPort() + " was dropped in namespace server (netns " + d.netns() + ") by " + function
                + " (" + where + "), reason " + d.dropReason().orElse("NOT_SPECIFIED")
                + explain(d.dropReason().orElse("")) + "; TCP " + lab.allowedPort() + " got through ("
                + traffic.allowedConnected() + "/" + traffic.allowedAttempts() + " connected).";
    }

    private static String explain(String reason) {
        return switch (reason) {
            case "NETFILTER_DROP" -> " (an iptables/nftables rule)";
            case "NO_SOCKET" -> " (nothing listens on that port)";
            default -> "";
        };
    }
}
