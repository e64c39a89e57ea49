// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.agent;

import dev.packettrace.api.report.AgentProtocol;
import dev.packettrace.api.status.StatusLimits;
import dev.packettrace.api.v1alpha1.AgentState;
import dev.packettrace.api.v1alpha1.NodeReport;
import dev.packettrace.api.v1alpha1.PacketTrace;
import dev.packettrace.api.v1alpha1.TargetStatus;
import dev.packettrace.api.validation.TraceRequest;
import dev.packettrace.output.EventTags;
import dev.packettrace.tracer.Backend;
import dev.packettrace.tracer.EventStream;
import dev.packettrace.tracer.KernelCounts;
import dev.packettrace.tracer.PacketEvent;
import dev.packettrace.tracer.TraceFilter;
import dev.packettrace.tracer.Tracer;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongFunction;

/**
 * One trace this node's agent serves: its filters, its target pods' namespaces, where its events go, and
 * what it has counted. The node's tracer hands every event to every active trace; this class decides
 * whether the event is this trace's (its own filters, or an skb it followed with track-skb), and if so
 * counts it, keeps it among the recent ones and writes it to the trace's sink tagged with trace, pod and
 * node, if spec.output.events asks for it. While the node's tracer counts in the kernel ({@link #kernelCounted}),
 * the counts come from the kernel's per-namespace counts instead and the events only feed the sink and the recent
 * ones. Everything it holds is bounded. Used from the agent's thread only.
 */
final class ActiveTrace {

    private static final int MAX_MESSAGE_TARGETS = 3;

    private final String node;
    private PacketTrace trace;
    private final TraceRequest request;
    private final Backend backend;
    private final TraceFilter baseFilter;
    private final EventSink sink;
    private final TraceTally tally = new TraceTally(TraceTally.DEFAULT_MAX_GROUPS);
    private final RecentEvents recent;
    private final Optional<SkbTracker> tracker;
    private final long maxEvents;
    /** spec.output.events, in the tracer's terms. */
    private final EventStream.Events events;

    private final long lostOffset;
    private final Map<String, EventTags> tagsByPod = new HashMap<>();
    private final EventTags untargetedTags;
    private TraceFilter filter;
    private Map<String, ResolvedTarget> targets = Map.of();
    private Map<Long, String> podByNetns = Map.of();
    private AgentState state = AgentState.Attaching;
    private Optional<String> stateMessage = Optional.empty();
    private long unwritten;
    private Optional<String> sinkError = Optional.empty();
    private boolean changed = true;
    private AgentState reportedState;
    private long reportedAtNanos;
    private Optional<String> backendUsed = Optional.empty();
    private boolean kernelCounted;

    /**
     * @param filter       the trace's own filter without namespaces ({@link TraceFilters#of})
     * @param lostAtAttach the node tracer's lost-event count when this trace attached: the trace's share of loss starts there
     * @param previous     this node's last report for this trace, from an earlier run of the agent: counting continues from it
     */
    ActiveTrace(
            PacketTrace trace,
            TraceRequest request,
            TraceFilter filter,
            String node,
            EventSink sink,
            long lostAtAttach,
            Optional<NodeReport> previous) {
        this.trace = Objects.requireNonNull(trace, "trace");
        this.request = Objects.requireNonNull(request, "request");
        this.backend = Backend.ofName(request.backend()).orElse(Backend.TRACEPOINT);
        this.baseFilter = Objects.requireNonNull(filter, "filter");
        this.filter = filter;
        this.node = Objects.requireNonNull(node, "node");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.recent = new RecentEvents(Math.min(request.output().recentEvents(), StatusLimits.MAX_RECENT_EVENTS));
        this.tracker = filter.trackSkb() ? Optional.of(new SkbTracker(SkbTracker.DEFAULT_CAPACITY)) : Optional.empty();
        this.maxEvents = AgentProtocol.maxEvents(trace).orElse(request.output().maxEvents());
        this.events = EventStream.Events.valueOf(request.output().events().name());
        this.untargetedTags =
                EventTags.builder().add("trace", trace.key()).add("node", node).build();
        long seededLost = previous.map(NodeReport::lost).orElse(0L);
        this.lostOffset = seededLost - lostAtAttach;
        previous.ifPresent(p -> {
            tally.seed(p);
            recent.seed(p.recentEvents());
        });
    }

    String uid() {
        return trace.getMetadata().getUid();
    }

    /** "namespace/name". */
    String key() {
        return trace.key();
    }

    /** The newest copy of the trace object (from the agent's watch), which reports are published against. */
    PacketTrace trace() {
        return trace;
    }

    void refresh(PacketTrace latest) {
        this.trace = latest;
    }

    EventSink sink() {
        return sink;
    }

    /** The trace's pcap-filter expression, evaluated by the node's tracer in one of its slots. */
    Optional<dev.packettrace.tracer.PcapFilter> expression() {
        return baseFilter.expression();
    }

    boolean trackSkb() {
        return baseFilter.trackSkb();
    }

    boolean stack() {
        return request.output().stack();
    }

    /**
     * The trace's choice of events when the kernel's per-namespace counts can count for it: it selects packets by
     * its pods alone (no other filter, expression or track-skb) and on the tracepoints; empty otherwise.
     */
    Optional<EventStream.Events> kernelCountable() {
        return baseFilter.equals(TraceFilter.all()) && backend == Backend.TRACEPOINT
                ? Optional.of(events)
                : Optional.empty();
    }

    /** Whether the node's tracer now counts in the kernel for this trace (and streams only some events). */
    void kernelCounted(boolean counted) {
        kernelCounted = counted;
    }

    /** What the node's kernel counted since the last read: this trace takes its namespaces' share, when counted there. */
    void counted(KernelCounts delta) {
        if (!kernelCounted || podByNetns.isEmpty() || budgetReached()) {
            return;
        }
        KernelCounts mine = delta.inNamespaces(podByNetns.keySet());
        if (mine.matched() > 0 || !mine.drops().isEmpty()) {
            tally.add(mine.matched(), mine.drops());
            changed = true;
        }
    }

    /** The backend the trace asked for: TRACEPOINT unless it asked for AUTO (function-level probes where the kernel has them). */
    Backend backend() {
        return backend;
    }

    AgentState state() {
        return state;
    }

    Map<String, ResolvedTarget> targets() {
        return targets;
    }

    Optional<ResolvedTarget> target(String pod) {
        return Optional.ofNullable(targets.get(pod));
    }

    /** Every namespace of every target: what this trace needs the node's tracer to see. */
    Set<Long> netns() {
        return podByNetns.keySet();
    }

    long events() {
        return tally.events();
    }

    /** Replaces what is known about the target pods; the trace's filter follows their namespaces. */
    void targets(Map<String, ResolvedTarget> resolved) {
        if (resolved.equals(targets)) {
            return;
        }
        Map<Long, String> byNetns = new TreeMap<>();
        for (ResolvedTarget t : new TreeMap<>(resolved).values()) {
            for (Long inode : t.netns()) {
                // host-network pods share the node's namespace: its events are tagged with the first of them
                byNetns.putIfAbsent(inode, t.pod());
            }
        }
        this.targets = Map.copyOf(resolved);
        this.podByNetns = Map.copyOf(byNetns);
        this.filter = baseFilter.withNetns(byNetns.keySet());
        this.changed = true;
    }

    void state(AgentState newState, Optional<String> message) {
        if (newState != state || !message.equals(stateMessage)) {
            state = newState;
            stateMessage = message;
            changed = true;
        }
    }

    /**
     * Takes the event if it is this trace's. An event counts when it passes the trace's own filters in one of its
     * targets' namespaces, or, with track-skb, when it belongs to an skb that did so earlier: the tracer reports
     * tracked skbs for every trace that asked for tracking, and only the traces that followed this skb get it.
     */
    void offer(PacketEvent e) {
        if (podByNetns.isEmpty() || budgetReached()) {
            return;
        }
        // the node's tracer probes functions when another trace on the node asked for them; this one did not
        if (e.probeKind() == PacketEvent.ProbeKind.FUNCTION && backend != Backend.AUTO) {
            return;
        }
        String pod = podByNetns.get(e.netns());
        boolean matched = pod != null && filter.matches(e);
        Optional<String> origin = tracker.flatMap(t -> t.originOf(e.skb()));
        if (!matched && origin.isEmpty()) {
            return;
        }
        boolean frees = e.probe().endsWith(":kfree_skb") || e.probe().endsWith(":consume_skb");
        tracker.ifPresent(t -> {
            if (frees) {
                t.freed(e.skb());
            } else if (matched) {
                t.follow(e.skb(), pod);
            }
        });
        record(e, pod != null ? pod : origin.get());
    }

    private void record(PacketEvent e, String pod) {
        if (!kernelCounted) {
            tally.record(e);
            changed = true;
        }
        if (!events.streams(e.isDrop())) {
            return;
        }
        recent.add(e, pod);
        changed = true;
        if (sinkError.isEmpty()) {
            try {
                sink.write(e, tags(pod), stack());
            } catch (IOException ex) {
                sinkError = Optional.of("writing to " + sink.name() + " failed: " + ex.getMessage());
            }
        }
        if (sinkError.isPresent()) {
            unwritten++;
        }
    }

    /** The sink failed outside a write (its last flush): say so in the report. */
    void sinkFailed(String error) {
        if (sinkError.isEmpty()) {
            sinkError = Optional.of(error);
            changed = true;
        }
    }

    private boolean budgetReached() {
        return tally.events() >= maxEvents;
    }

    private EventTags tags(String pod) {
        if (pod.isEmpty()) {
            return untargetedTags;
        }
        return tagsByPod.computeIfAbsent(
                pod,
                p -> EventTags.builder()
                        .add("trace", trace.key())
                        .add("pod", trace.getMetadata().getNamespace() + "/" + p)
                        .add("node", node)
                        .build());
    }

    /** Whether a report should go out now: at once when the state changed, otherwise at most once per interval. */
    boolean reportDue(long nowNanos, long intervalNanos) {
        if (state != reportedState) {
            return true;
        }
        return changed && nowNanos - reportedAtNanos >= intervalNanos;
    }

    void reported(long nowNanos) {
        reportedState = state;
        reportedAtNanos = nowNanos;
        changed = false;
    }

    /**
     * The complete snapshot of this trace on this node.
     *
     * @param tracer    the node's tracer when one runs (backend and probes; the backend stays reported after detaching)
     * @param totalLost events the node's tracers could not queue since the agent started; every trace on the
     *                  node shares that loss, since a lost event cannot be attributed to anyone
     * @param wallClock turns monotonic event timestamps into RFC 3339 text
     */
    NodeReport report(Optional<Tracer> tracer, long totalLost, Instant now, LongFunction<String> wallClock) {
        List<TargetStatus> statuses = new ArrayList<>();
        for (ResolvedTarget t : new TreeMap<>(targets).values()) {
            statuses.add(t.toStatus(node));
        }
        tracer.filter(t -> state.isActive())
                .ifPresent(t -> backendUsed = Optional.of(t.backend().flagName()));
        // A detached or failed trace holds no probes, even while the node's tracer still serves other traces.
        int probes =
                state.isActive() ? tracer.map(t -> t.attachedProbes().size()).orElse(0) : 0;
        return new NodeReport(
                trace.getMetadata().getName(),
                uid(),
                node,
                trace.getMetadata().getGeneration(),
                state,
                backendUsed.orElse(null),
                probes,
                tally.events(),
                Math.max(0, lostOffset + totalLost),
                tally.drops(),
                tally.largestGroups(StatusLimits.MAX_REPORT_DROP_GROUPS),
                recent.newestFirst(node, wallClock, request.output().tuple()),
                statuses,
                message().orElse(null),
                now.toString());
    }

    /** The state's reason, then what else the user should know: budget reached, sink failures, forgotten skbs. */
    Optional<String> message() {
        List<String> parts = new ArrayList<>();
        stateMessage.ifPresent(parts::add);
        if (budgetReached() && state.isActive()) {
            parts.add("reached the event budget of " + maxEvents
                    + " on this node; further events are neither counted nor written");
        }
        // "at least": lines still buffered when the sink failed are lost with it
        sinkError.ifPresent(
                s -> parts.add(unwritten > 0 ? s + "; at least " + unwritten + " event(s) not written" : s));
        tracker.filter(t -> t.forgotten() > 0)
                .ifPresent(t -> parts.add(t.forgotten() + " tracked packet(s) forgotten: more than "
                        + SkbTracker.DEFAULT_CAPACITY + " were followed at once"));
        return parts.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", parts));
    }

    /** Why the trace has no namespace to trace yet, from its targets' messages. */
    String waitingMessage() {
        if (targets.isEmpty()) {
            return "no target pod on this node in the trace's status yet";
        }
        List<String> why = new ArrayList<>();
        for (ResolvedTarget t : new TreeMap<>(targets).values()) {
            if (why.size() == MAX_MESSAGE_TARGETS) {
                why.add("...");
                break;
            }
            why.add(t.pod() + ": " + t.message().orElse(t.state().name()));
        }
        return "waiting for the network namespaces of the target pods (" + String.join("; ", why) + ")";
    }
}
