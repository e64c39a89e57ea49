// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.agent;

import dev.packettrace.agent.netns.PodNetnsException;
import dev.packettrace.agent.netns.PodNetnsResolver;
import dev.packettrace.agent.netns.ProcScan;
import dev.packettrace.api.report.AgentProtocol;
import dev.packettrace.api.v1alpha1.AgentState;
import dev.packettrace.api.v1alpha1.NodeReport;
import dev.packettrace.api.v1alpha1.PacketTrace;
import dev.packettrace.api.v1alpha1.TargetState;
import dev.packettrace.api.v1alpha1.TargetStatus;
import dev.packettrace.api.validation.PacketTraceSpecValidator;
import dev.packettrace.api.validation.SpecValidation;
import dev.packettrace.api.validation.TraceRequest;
import dev.packettrace.tracer.Backend;
import dev.packettrace.tracer.EventStream;
import dev.packettrace.tracer.ExpressionSlots;
import dev.packettrace.tracer.KernelCounts;
import dev.packettrace.tracer.PacketEvent;
import dev.packettrace.tracer.TraceFilter;
import dev.packettrace.tracer.Tracer;
import dev.packettrace.tracer.TracerFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongFunction;
import java.util.function.LongSupplier;

/**
 * The node agent's state machine, run on one thread: from the PacketTraces the agent watches it decides
 * which traces have targets on this node, resolves their pods' network namespaces, keeps the node's one
 * tracer in line with what they need together, hands every event to every active trace, and reports each
 * trace's results at a bounded rate. Level-based: {@link #reconcile} looks at the whole current picture each
 * time, so a missed notification is made up by the next one.
 *
 * <p>A trace is served while {@link AgentProtocol#shouldTrace} holds and the operator lists target pods on
 * this node. It then goes Attaching (resolving, loading), Tracing (the tracer runs and at least one of its
 * targets' namespaces is traced), and finally Detached (it ended, is being deleted, has no targets here any
 * more, or the agent stops) or Failed (its spec cannot be traced, its sink cannot be opened, or the tracer
 * cannot start; the message says which). A failed trace is not retried.
 */
final class TraceCoordinator implements AutoCloseable {

    /** Scans of /proc triggered by changes are at least this far apart (periodic ones follow the resolve interval). */
    static final Duration MIN_SCAN_SPACING = Duration.ofMillis(500);

    private static final System.Logger LOG = System.getLogger(TraceCoordinator.class.getName());

    private final AgentConfig config;
    private final PodNetnsResolver resolver;
    private final EventSinks sinks;
    private final ReportSender sender;
    private final PreviousReports previousReports;
    private final Clock clock;
    private final LongSupplier nanos;
    private final LongFunction<String> wallClock;
    private final TracerControl tracer;
    private final OmittedTargets omitted;
    private final Map<String, ActiveTrace> active = new LinkedHashMap<>();
    private final Map<String, String> failed = new HashMap<>();
    private Map<String, Set<String>> lastTargets = Map.of();
    private boolean scanWanted = true;
    private long lastScanNanos;
    private long nextPeriodicScanNanos;
    private long lastCountsNanos;

    /**
     * @param wallClock turns the tracer's monotonic timestamps into RFC 3339 text for reports
     */
    TraceCoordinator(
            AgentConfig config,
            PodNetnsResolver resolver,
            TracerFactory tracers,
            EventSinks sinks,
            ReportSender sender,
            PreviousReports previousReports,
            OmittedTargets.PodQuery podQuery,
            Clock clock,
            LongSupplier nanos,
            LongFunction<String> wallClock) {
        this.config = Objects.requireNonNull(config, "config");
        this.resolver = Objects.requireNonNull(resolver, "resolver");
        this.sinks = Objects.requireNonNull(sinks, "sinks");
        this.sender = Objects.requireNonNull(sender, "sender");
        this.previousReports = Objects.requireNonNull(previousReports, "previousReports");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.nanos = Objects.requireNonNull(nanos, "nanos");
        this.wallClock = Objects.requireNonNull(wallClock, "wallClock");
        this.tracer = new TracerControl(tracers, this::dispatch, this::dispatchCounts);
        this.omitted = new OmittedTargets(podQuery, nanos, config.resolveInterval());
        this.lastScanNanos = nanos.getAsLong() - MIN_SCAN_SPACING.toNanos();
        this.nextPeriodicScanNanos = nanos.getAsLong();
    }

    /** Whether the tracer is loaded (then the caller polls it; otherwise it waits for a change). */
    boolean tracing() {
        return tracer.tracer().isPresent();
    }

    /** Whether target namespaces should be looked up again now even without a change notification. */
    boolean scanDue() {
        long now = nanos.getAsLong();
        return !active.isEmpty()
                && (now - nextPeriodicScanNanos >= 0
                        || scanWanted && now - lastScanNanos >= MIN_SCAN_SPACING.toNanos());
    }

    Set<String> activeTraces() {
        Set<String> keys = new HashSet<>();
        active.values().forEach(t -> keys.add(t.key()));
        return keys;
    }

    /**
     * Brings everything in line with the traces as the agent's watch sees them now.
     *
     * @param podsChanged a pod on this node changed since the last call: look its namespace up again
     */
    void reconcile(Collection<PacketTrace> traces, PodLookup pods, boolean podsChanged) {
        Map<String, PacketTrace> wanted = new LinkedHashMap<>();
        Map<String, PacketTrace> known = new HashMap<>();
        for (PacketTrace t : traces) {
            String uid = t.getMetadata().getUid();
            known.put(uid, t);
            if (AgentProtocol.shouldTrace(t) && !targetsOn(t).isEmpty()) {
                wanted.put(uid, t);
            }
        }
        failed.keySet().retainAll(wanted.keySet());
        omitted.retain(wanted.keySet());

        List<ActiveTrace> leaving = active.values().stream()
                .filter(a -> !wanted.containsKey(a.uid()))
                .toList();
        List<FinalReport> finalReports = new ArrayList<>();
        if (!leaving.isEmpty()) {
            // what the tracer captured before the end still belongs to the leaving traces
            tracer.tracer().ifPresent(Tracer::drain);
            for (ActiveTrace a : leaving) {
                PacketTrace latest = known.get(a.uid());
                detach(a, latest == null ? "the trace was deleted" : whyNotTraced(latest), latest)
                        .ifPresent(finalReports::add);
            }
        }
        boolean adopted = false;
        for (PacketTrace t : wanted.values()) {
            ActiveTrace a = active.get(t.getMetadata().getUid());
            if (a != null) {
                a.refresh(t);
            } else if (!failed.containsKey(t.getMetadata().getUid())) {
                adopted |= adopt(t);
            }
        }

        // Which pods (by name and uid) each trace targets here; the operator also copies the agent's findings into
        // status.targets, and those coming back must not count as a change.
        Map<String, Set<String>> targets = new HashMap<>();
        active.values()
                .forEach(a -> targets.put(
                        a.uid(),
                        targetsOn(a.trace()).stream()
                                .map(t -> t.pod() + "/" + t.podUid())
                                .collect(java.util.stream.Collectors.toSet())));
        scanWanted |= podsChanged || adopted || !targets.equals(lastTargets);
        lastTargets = targets;
        long now = nanos.getAsLong();
        if (!active.isEmpty()
                && (now - nextPeriodicScanNanos >= 0
                        || scanWanted && now - lastScanNanos >= MIN_SCAN_SPACING.toNanos())) {
            resolveTargets(pods);
        }
        applyTracer();
        // Detached is a promise that the trace's programs (or its namespaces in their filter) have left the
        // kernel: the operator lifts its finalizer on it, so the reports go out only after applyTracer
        finalReports.forEach(FinalReport::send);
    }

    /** Polls the tracer for up to timeout; events go to the active traces. */
    int poll(Duration timeout) {
        return tracer.poll(timeout);
    }

    /** After a poll: makes the written lines visible and sends the reports that are due. */
    void afterPoll() {
        sinks.flushAll();
        long now = nanos.getAsLong();
        long interval = config.reportInterval().toNanos();
        // the kernel's counts are read once per report interval: each read walks the count maps
        if (tracer.kernelCounted() && now - lastCountsNanos >= interval) {
            tracer.readCounts();
            lastCountsNanos = now;
        }
        for (ActiveTrace a : active.values()) {
            if (a.reportDue(now, interval)) {
                publish(a);
                a.reported(now);
            }
        }
    }

    /** Detaches from every trace (the agent stops): each gets a last report saying so. */
    @Override
    public void close() {
        tracer.tracer().ifPresent(Tracer::drain);
        List<FinalReport> finalReports = new ArrayList<>();
        for (ActiveTrace a : List.copyOf(active.values())) {
            detach(a, "the node agent on " + config.nodeName() + " stopped", a.trace())
                    .ifPresent(finalReports::add);
        }
        tracer.close();
        finalReports.forEach(FinalReport::send);
    }

    /** A detached trace's last report, made while the tracer still ran and sent once it no longer does. */
    private record FinalReport(ReportSender sender, PacketTrace trace, NodeReport report) {
        void send() {
            sender.submit(trace, report);
        }
    }

    private void dispatch(PacketEvent e) {
        for (ActiveTrace a : active.values()) {
            a.offer(e);
        }
    }

    private void dispatchCounts(KernelCounts delta) {
        for (ActiveTrace a : active.values()) {
            a.counted(delta);
        }
    }

    /** Starts serving a trace; false (and a Failed report) when it cannot be traced here. */
    private boolean adopt(PacketTrace t) {
        String uid = t.getMetadata().getUid();
        TraceRequest request;
        TraceFilter filter;
        switch (PacketTraceSpecValidator.validate(t.getSpec())) {
            case SpecValidation.Invalid invalid -> {
                fail(t, "the spec cannot be traced: " + invalid.message());
                return false;
            }
            case SpecValidation.Valid valid -> request = valid.request();
        }
        try {
            filter = TraceFilters.of(request.filter());
        } catch (IllegalArgumentException e) {
            fail(t, e.getMessage());
            return false;
        }
        if (filter.expression().isPresent()) {
            Set<String> expressions = new HashSet<>();
            active.values().forEach(a -> a.expression().ifPresent(x -> expressions.add(x.expression())));
            expressions.add(filter.expression().get().expression());
            if (expressions.size() > ExpressionSlots.MAX) {
                fail(
                        t,
                        "spec.filter.expression: the tracer on " + config.nodeName() + " already evaluates "
                                + ExpressionSlots.MAX + " other expressions for other traces; at most "
                                + ExpressionSlots.MAX
                                + " different ones run on a node at once");
                return false;
            }
        }
        EventSink sink;
        try {
            sink = sinks.open(t, request.sink());
        } catch (IllegalArgumentException e) {
            fail(t, e.getMessage());
            return false;
        }
        Optional<NodeReport> previous = previousReports.of(t, config.nodeName());
        ActiveTrace a = new ActiveTrace(t, request, filter, config.nodeName(), sink, tracer.totalLost(), previous);
        active.put(uid, a);
        // Said at once: loading the tracer can take seconds, and the user should see that the node is on it.
        a.state(
                AgentState.Attaching,
                Optional.of("resolving the target pods' network namespaces and loading the tracer"));
        publish(a);
        a.reported(nanos.getAsLong());
        LOG.log(
                System.Logger.Level.INFO,
                "trace={0} state=Attaching targets={1} sink={2}{3}",
                t.key(),
                Integer.toString(targetsOn(t).size()),
                sink.name(),
                previous.map(p -> " resumedEvents=" + p.events()).orElse(""));
        return true;
    }

    private void resolveTargets(PodLookup pods) {
        ProcScan scan;
        long now = nanos.getAsLong();
        lastScanNanos = now;
        nextPeriodicScanNanos = now + config.resolveInterval().toNanos();
        scanWanted = false;
        try {
            scan = resolver.scan();
        } catch (PodNetnsException e) {
            LOG.log(System.Logger.Level.WARNING, "netns-scan=failed error=\"{0}\"", e.getMessage());
            for (ActiveTrace a : active.values()) {
                Map<String, ResolvedTarget> failedTargets = new TreeMap<>();
                for (TargetStatus t : targetsOn(a.trace())) {
                    failedTargets.put(
                            t.pod(),
                            ResolvedTarget.of(
                                    t.pod(), String.valueOf(t.podUid()), Set.of(), TargetState.Failed, e.getMessage()));
                }
                a.targets(failedTargets);
            }
            return;
        }
        for (ActiveTrace a : active.values()) {
            Map<String, ResolvedTarget> resolved = new TreeMap<>();
            String ns = a.trace().getMetadata().getNamespace();
            for (TargetStatus t : targetsOn(a.trace())) {
                ResolvedTarget r = TargetResolution.resolve(t, pods.get(ns, t.pod()), scan, a.target(t.pod()));
                Optional<ResolvedTarget> before = a.target(t.pod());
                if (before.isEmpty()
                        || !before.get().netns().equals(r.netns())
                        || before.get().state() != r.state()) {
                    LOG.log(
                            System.Logger.Level.INFO,
                            "trace={0} pod={1} target={2} netns={3}{4}",
                            a.key(),
                            t.pod(),
                            r.state(),
                            r.netns(),
                            r.message().map(m -> " message=\"" + m + "\"").orElse(""));
                }
                resolved.put(t.pod(), r);
            }
            a.targets(resolved);
        }
    }

    /** Starts, updates, restarts or stops the tracer for what the active traces need together, then sets their states. */
    private void applyTracer() {
        Optional<SessionSpec> spec = Optional.empty();
        if (!active.isEmpty()) {
            Set<Long> netns = new HashSet<>();
            boolean track = false;
            boolean stack = false;
            // function-level probes cost every packet on the node: only when a trace asks for them (auto)
            Backend backend = Backend.TRACEPOINT;
            for (ActiveTrace a : active.values()) {
                netns.addAll(a.netns());
                track |= a.trackSkb();
                stack |= a.stack();
                if (a.backend() == Backend.AUTO) {
                    backend = Backend.AUTO;
                }
            }
            ExpressionSlots slots = SessionSpec.slots(
                    active.values().stream().map(ActiveTrace::expression).toList());
            EventStream stream = SessionSpec.stream(
                    active.values().stream().map(ActiveTrace::kernelCountable).toList());
            spec = Optional.of(new SessionSpec(netns, track, stack, backend, config.ringBufferBytes(), slots, stream));
        }
        try {
            tracer.apply(spec);
        } catch (RuntimeException e) {
            // TracerException (privileges, kernel, verifier) or a bug: the traces that needed it cannot be served here
            LOG.log(System.Logger.Level.ERROR, "tracer=failed error=\"{0}\"", e.getMessage());
            String message = "the tracer could not start on " + config.nodeName() + ": " + e.getMessage();
            for (ActiveTrace a : List.copyOf(active.values())) {
                a.state(AgentState.Failed, Optional.of(message));
                failed.put(a.uid(), message);
                release(a);
            }
            return;
        }
        boolean running = tracer.tracer().isPresent();
        boolean counted = tracer.kernelCounted();
        for (ActiveTrace a : active.values()) {
            a.kernelCounted(counted);
            if (running && !a.netns().isEmpty()) {
                a.state(AgentState.Tracing, Optional.empty());
            } else {
                a.state(AgentState.Attaching, Optional.of(a.waitingMessage()));
            }
        }
    }

    /** Stops serving the trace; its last report (none when the trace is gone) for the caller to send. */
    private Optional<FinalReport> detach(ActiveTrace a, String reason, PacketTrace latest) {
        if (tracer.kernelCounted()) {
            tracer.readCounts(); // the last report counts up to now
        }
        a.state(AgentState.Detached, Optional.of(reason));
        LOG.log(
                System.Logger.Level.INFO,
                "trace={0} state=Detached events={1} reason=\"{2}\"",
                a.key(),
                Long.toString(a.events()),
                reason);
        // the sink is closed first, so that the last report counts what reached it
        closeSink(a);
        active.remove(a.uid());
        if (latest == null) {
            return Optional.empty(); // deleted: there is no trace left to report to
        }
        a.refresh(latest);
        return Optional.of(new FinalReport(
                sender, a.trace(), a.report(tracer.tracer(), tracer.totalLost(), clock.instant(), wallClock)));
    }

    /** Closes the trace's sink, then sends its last report (which so counts what reached the sink) and forgets it. */
    private void release(ActiveTrace a) {
        closeSink(a);
        publish(a);
        active.remove(a.uid());
    }

    private void closeSink(ActiveTrace a) {
        try {
            sinks.release(a.sink());
        } catch (java.io.UncheckedIOException e) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "trace={0} sink={1} close=failed error=\"{2}\"",
                    a.key(),
                    a.sink().name(),
                    e.getMessage());
            a.sinkFailed(e.getMessage());
        }
    }

    private void fail(PacketTrace t, String message) {
        failed.put(t.getMetadata().getUid(), message);
        LOG.log(System.Logger.Level.WARNING, "trace={0} state=Failed reason=\"{1}\"", t.key(), message);
        List<TargetStatus> targets = targetsOn(t).stream()
                .map(s -> new TargetStatus(s.pod(), s.podUid(), config.nodeName(), null, TargetState.Failed, message))
                .toList();
        sender.submit(
                t,
                new NodeReport(
                        t.getMetadata().getName(),
                        t.getMetadata().getUid(),
                        config.nodeName(),
                        t.getMetadata().getGeneration(),
                        AgentState.Failed,
                        null,
                        0,
                        0L,
                        0L,
                        0L,
                        List.of(),
                        List.of(),
                        targets,
                        message,
                        clock.instant().toString()));
    }

    private void publish(ActiveTrace a) {
        sender.submit(a.trace(), a.report(tracer.tracer(), tracer.totalLost(), clock.instant(), wallClock));
    }

    private List<TargetStatus> targetsOn(PacketTrace t) {
        return omitted.targetsOn(t, config.nodeName());
    }

    private static String whyNotTraced(PacketTrace t) {
        if (t.getMetadata().getDeletionTimestamp() != null) {
            return "the trace is being deleted";
        }
        if (t.getStatus() != null && t.getStatus().phaseOrPending().isTerminal()) {
            return "the trace ended (" + t.getStatus().phaseOrPending() + ")";
        }
        return "no target pod of the trace is on this node any more";
    }
}
