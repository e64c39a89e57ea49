// SPDX-License-Identifier: Apache-2.0
/**
 * The node agent in cluster mode ({@code packettrace agent}, one per node through the operator's DaemonSet).
 *
 * <h2>What it does</h2>
 * It watches PacketTraces in every namespace. A trace is served on this node while the operator has admitted it
 * and not ended it ({@code AgentProtocol.shouldTrace}: status.limits set, phase Pending or Running, no
 * deletionTimestamp) and status.targets lists pods on this node (or, when the operator shortened that list, pods
 * on this node match spec.targets). For each target the agent finds the pod's network namespace from the node's
 * /proc ({@link dev.packettrace.agent.netns.PodNetnsResolver}), then runs <em>one</em> tracer for all traces:
 * the kernel filter is the union of the targets' namespace inodes (updated in place as pods come, go and
 * restart), with track-skb and stacks on when any trace asks (the tracer restarts when that union of flags
 * changes). Each event is offered to every served trace, which takes it when its own filters match
 * ({@link dev.packettrace.tracer.TraceFilter#matches}) or, with track-skb, when it followed that skb. Taken
 * events are written as one JSON line each (the CLI's field names, led by {@code trace}, {@code pod} and
 * {@code node}) to the trace's sink, and counted into the node's report, a PacketTraceReport written at most
 * once per report interval and at once on every state change (Attaching, Tracing, Detached, Failed).
 * Packet contents are never captured.
 *
 * <h2>Configuration (environment)</h2>
 * <pre>
 * NODE_NAME                       this node (downward API, spec.nodeName); required
 * PACKETTRACE_PROC_ROOT           the host's proc (default /proc: the DaemonSet runs with hostPID)
 * PACKETTRACE_NODE_REFERENCE_PID  a process in the node's network namespace (default 1)
 * PACKETTRACE_SINK_ROOT           where the host's /var/log/packettrace is mounted (default /var/log/packettrace)
 * PACKETTRACE_SINK                stdout (default) or a file below the sink root, for traces with the default sink
 * PACKETTRACE_REPORT_INTERVAL     at most one report per trace this often (default 5s; 100ms..10m)
 * PACKETTRACE_RESOLVE_INTERVAL    how often target namespaces are looked up again (default 10s; 100ms..10m)
 * PACKETTRACE_RING_BUFFER         the tracer's ring buffer, a power of two (default 8Mi)
 * </pre>
 *
 * <h2>RBAC (a ClusterRole; see operator/rbac/node-agent.yaml)</h2>
 * <pre>
 * packettrace.dev packettraces        get list watch   informer on traces; NodeReportPublisher reads a trace by name
 * packettrace.dev packettracereports  get create update  this node's report per trace; get also resumes counters on restart
 * ""              pods                get list watch   informer on this node's pods (field selector spec.nodeName);
 *                                                      a target pod read directly; pods of shortened target lists
 * </pre>
 * The agent never writes a PacketTrace. Each rule is declared with {@code @RequiresRbac} on the class that needs it
 * ({@link dev.packettrace.agent.NodeAgent}, {@code NodeReportPublisher}, {@code AgentProtocol}); AgentRbacTest
 * checks that the rendered ClusterRole grants all of them.
 *
 * <h2>Bounds</h2>
 * Per trace: 64 drop groups (further drops counted in the total), at most 25 recent events, 65536 followed skbs
 * (the oldest forgotten and counted), one report pending at a time. Events the kernel could not queue are
 * counted and reported as lost on every trace of the node (a lost event cannot be attributed).
 */
package dev.packettrace.agent;
