// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.agent;

import dev.packettrace.agent.netns.PodNetnsResolver;
import dev.packettrace.api.rbac.RequiresRbac;
import dev.packettrace.api.report.NodeReportPublisher;
import dev.packettrace.api.report.ReportNames;
import dev.packettrace.api.v1alpha1.NodeReport;
import dev.packettrace.api.v1alpha1.PacketTrace;
import dev.packettrace.api.v1alpha1.PacketTraceReport;
import dev.packettrace.output.ClockOffset;
import dev.packettrace.tracer.TracerFactory;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongFunction;
import java.util.function.Supplier;

/**
 * The node agent in cluster mode: one per node (the operator's DaemonSet), started as {@code packettrace agent}.
 * It watches PacketTraces in every namespace and the Pods on its own node, and runs the node's one tracer for
 * every trace with targets here ({@link TraceCoordinator}); results go to each trace's PacketTraceReport for
 * this node, events to the sinks as JSON lines. On restart it picks up the traces still running: the watch's
 * first list shows them, and counting continues from this node's last report.
 *
 * <p>Configuration comes from the environment ({@link AgentConfig}). The RBAC it needs is listed on this class
 * and on {@link NodeReportPublisher} and {@code AgentProtocol}; operator/rbac/node-agent.yaml grants exactly that.
 *
 * <p>Threads: the informers' threads only note that something changed and wake the agent thread, which does
 * everything else (resolving, polling the tracer, attributing, writing); reports go out on the
 * {@link ReportSender}'s thread.
 */
@RequiresRbac(
        subject = RequiresRbac.Subject.AGENT,
        apiGroup = "packettrace.dev",
        resource = "packettraces",
        verbs = {"list", "watch"},
        why =
                "the agent's informer on PacketTraces in every namespace: which traces have targets on its node, and when they end")
@RequiresRbac(
        subject = RequiresRbac.Subject.AGENT,
        apiGroup = "",
        resource = "pods",
        verbs = {"list", "watch"},
        why =
                "the agent's informer on the Pods of its own node (field selector spec.nodeName): live pod uid, running containers, host network")
@RequiresRbac(
        subject = RequiresRbac.Subject.AGENT,
        apiGroup = "",
        resource = "pods",
        verbs = {"get", "list"},
        why =
                "read a target pod the watch has not delivered yet; when a trace's status.targets was shortened, find its target pods on this node itself")
@RequiresRbac(
        subject = RequiresRbac.Subject.AGENT,
        apiGroup = "packettrace.dev",
        resource = "packettracereports",
        verbs = {"get"},
        why = "on restart, read this node's last report of a running trace to continue its counters")
public final class NodeAgent implements AutoCloseable {

    /** The longest the agent thread waits before looking at the tracer, the informers and due reports again. */
    static final Duration POLL_INTERVAL = Duration.ofMillis(100);

    static final Duration SYNC_TIMEOUT = Duration.ofSeconds(60);
    static final Duration REPORT_FLUSH_TIMEOUT = Duration.ofSeconds(10);
    private static final System.Logger LOG = System.getLogger(NodeAgent.class.getName());

    private final AgentConfig config;
    private final KubernetesClient client;
    private final SharedIndexInformer<PacketTrace> traces;
    private final SharedIndexInformer<Pod> pods;
    private final EventSinks sinks;
    private final ReportSender sender;
    private final TraceCoordinator coordinator;
    private final Semaphore wakeup = new Semaphore(0);
    private final AtomicBoolean tracesChanged = new AtomicBoolean(true);
    private final AtomicBoolean podsChanged = new AtomicBoolean(true);
    private final CountDownLatch stopped = new CountDownLatch(1);
    // Questions from other threads (tests, diagnostics) are answered on the agent thread, which owns the state.
    private final ConcurrentLinkedQueue<Runnable> queued = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean closed;

    private NodeAgent(
            AgentConfig config,
            KubernetesClient client,
            TracerFactory tracers,
            OutputStream stdout,
            Clock clock,
            Supplier<ClockOffset> clockOffset) {
        this.config = config;
        this.client = client;
        Supplier<ClockOffset> offset = EventSinks.memoize(clockOffset); // measured once, when first needed
        this.sinks = new EventSinks(config, offset, stdout);
        this.sender = new ReportSender(new NodeReportPublisher(client));
        LongFunction<String> wallClock = monotonicNs -> {
            long epochNs = offset.get().toEpochNanos(monotonicNs);
            return Instant.ofEpochSecond(Math.floorDiv(epochNs, 1_000_000_000L), Math.floorMod(epochNs, 1_000_000_000L))
                    .toString();
        };
        this.coordinator = new TraceCoordinator(
                config,
                new PodNetnsResolver(config.procRoot(), config.nodeReferencePid()),
                tracers,
                sinks,
                sender,
                previousReports(client),
                podQuery(client),
                clock,
                System::nanoTime,
                wallClock);
        this.traces = client.resources(PacketTrace.class).inAnyNamespace().runnableInformer(0);
        this.pods = client.pods()
                .inAnyNamespace()
                .withField("spec.nodeName", config.nodeName())
                .runnableInformer(0);
        traces.addEventHandler(onChange(tracesChanged, o -> true));
        pods.addEventHandler(onChange(podsChanged, p -> onThisNode(p)));
        this.thread = Thread.ofPlatform().name("packettrace-agent").unstarted(this::loop);
    }

    /**
     * Starts watching and tracing; returns once the watches have their first list (so a running trace is
     * picked up from the start).
     *
     * @param stdout the default sink's stream (the process's standard output in a pod)
     */
    public static NodeAgent start(
            AgentConfig config, KubernetesClient client, TracerFactory tracers, OutputStream stdout) {
        return start(config, client, tracers, stdout, Clock.systemUTC(), ClockOffset::measure);
    }

    static NodeAgent start(
            AgentConfig config,
            KubernetesClient client,
            TracerFactory tracers,
            OutputStream stdout,
            Clock clock,
            Supplier<ClockOffset> clockOffset) {
        NodeAgent agent = new NodeAgent(
                Objects.requireNonNull(config, "config"),
                Objects.requireNonNull(client, "client"),
                Objects.requireNonNull(tracers, "tracers"),
                Objects.requireNonNull(stdout, "stdout"),
                clock,
                clockOffset);
        try {
            String server = " (API server " + client.getConfiguration().getMasterUrl() + ")";
            await(agent.traces.start(), "PacketTraces" + server);
            await(agent.pods.start(), "Pods on node " + config.nodeName() + server);
        } catch (RuntimeException e) {
            agent.stopInformers();
            agent.sender.close(Duration.ZERO);
            throw e;
        }
        agent.thread.start();
        LOG.log(
                System.Logger.Level.INFO,
                "agent=started node={0} procRoot={1} sink={2} reportInterval={3}ms",
                config.nodeName(),
                config.procRoot(),
                describe(config.defaultSink()),
                Long.toString(config.reportInterval().toMillis()));
        return agent;
    }

    /**
     * {@code packettrace agent}: runs until SIGTERM, then detaches and reports Detached for every trace.
     *
     * @return 2 when the environment holds a bad setting (said on {@code err}, naming the variable)
     */
    public static int run(java.util.Map<String, String> env, OutputStream stdout, java.io.PrintStream err) {
        AgentConfig config;
        try {
            config = AgentConfig.fromEnv(env);
        } catch (AgentConfigException e) {
            err.println("packettrace agent: " + e.getMessage());
            return 2;
        }
        KubernetesClient client = new KubernetesClientBuilder().build();
        NodeAgent agent;
        try {
            agent = start(config, client, TracerFactory.kernel(), stdout);
        } catch (RuntimeException e) {
            // No stack trace: the message says what failed (API server unreachable, RBAC missing, ...).
            err.println("packettrace agent: " + e.getMessage());
            client.close();
            return 1;
        }
        Thread hook = Thread.ofPlatform().unstarted(() -> {
            agent.close();
            client.close();
        });
        Runtime.getRuntime().addShutdownHook(hook);
        agent.awaitStopped();
        return 0;
    }

    public static void main(String[] args) {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tLZ %4$s %3$s %5$s%6$s%n");
        }
        System.exit(run(System.getenv(), EventSinks.processStdout(), System.err));
    }

    public AgentConfig config() {
        return config;
    }

    /** Blocks until the agent stopped (after {@link #close}). */
    public void awaitStopped() {
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Keys ("namespace/name") of the traces this agent serves right now; for tests and diagnostics. */
    public java.util.Set<String> activeTraces() {
        return call(coordinator::activeTraces);
    }

    /**
     * Detaches from every trace, publishes their last reports (state Detached), closes the tracer, so that no
     * probe stays attached, and stops watching.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        running = false;
        wakeup.release();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stopInformers();
        sender.close(REPORT_FLUSH_TIMEOUT);
        sinks.close();
        stopped.countDown();
        LOG.log(System.Logger.Level.INFO, "agent=stopped node={0}", config.nodeName());
    }

    private void loop() {
        try {
            while (running) {
                try {
                    step();
                } catch (RuntimeException e) {
                    // One bad step (an API object nobody foresaw, a failing poll) must not end tracing for every trace.
                    LOG.log(System.Logger.Level.ERROR, "agent step failed: " + e, e);
                    pause();
                }
            }
        } finally {
            try {
                coordinator.close();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "detaching failed: " + e, e);
            }
        }
    }

    private void step() {
        boolean podChange = podsChanged.getAndSet(false);
        boolean traceChange = tracesChanged.getAndSet(false);
        if (podChange || traceChange || coordinator.scanDue()) {
            coordinator.reconcile(traces.getStore().list(), this::podOnThisNode, podChange);
        }
        if (coordinator.tracing()) {
            coordinator.poll(POLL_INTERVAL);
        } else {
            pause();
        }
        coordinator.afterPoll();
        runQueued();
    }

    private void pause() {
        try {
            if (wakeup.tryAcquire(POLL_INTERVAL.toMillis(), TimeUnit.MILLISECONDS)) {
                wakeup.drainPermits();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    /**
     * The pod from the watch's cache; a pod the cache does not hold (yet) is read from the API server. The watch
     * selects this node's pods with the field selector spec.nodeName, which an API server evaluates but Fabric8's
     * mock server does not (it returns no pods): the read keeps the agent right there too.
     */
    private Optional<Pod> podOnThisNode(String namespace, String name) {
        Pod cached = pods.getStore().getByKey(namespace + "/" + name);
        if (cached != null) {
            return Optional.of(cached).filter(this::onThisNode);
        }
        try {
            return Optional.ofNullable(
                            client.pods().inNamespace(namespace).withName(name).get())
                    .filter(this::onThisNode);
        } catch (KubernetesClientException e) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "pod={0}/{1} read=failed error=\"{2}\"",
                    namespace,
                    name,
                    e.getMessage());
            return Optional.empty();
        }
    }

    private boolean onThisNode(Pod p) {
        return p.getSpec() != null && config.nodeName().equals(p.getSpec().getNodeName());
    }

    private <T> ResourceEventHandler<T> onChange(AtomicBoolean flag, java.util.function.Predicate<T> relevant) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                signal(obj);
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                if (relevant.test(oldObj)) {
                    flag.set(true);
                }
                signal(newObj);
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                signal(obj);
            }

            private void signal(T obj) {
                if (relevant.test(obj)) {
                    flag.set(true);
                    wakeup.release();
                }
            }
        };
    }

    private <T> T call(Supplier<T> question) {
        CompletableFuture<T> answer = new CompletableFuture<>();
        queued.add(() -> answer.complete(question.get()));
        wakeup.release();
        try {
            return answer.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for the agent thread", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the agent thread did not answer: " + e, e);
        }
    }

    private void runQueued() {
        Runnable r;
        while ((r = queued.poll()) != null) {
            r.run();
        }
    }

    private void stopInformers() {
        traces.stop();
        pods.stop();
    }

    private static PreviousReports previousReports(KubernetesClient client) {
        return (trace, node) -> {
            try {
                PacketTraceReport r = client.resources(PacketTraceReport.class)
                        .inNamespace(trace.getMetadata().getNamespace())
                        .withName(ReportNames.reportName(trace.getMetadata().getName(), node))
                        .get();
                return Optional.ofNullable(r)
                        .map(PacketTraceReport::getSpec)
                        .filter(s ->
                                Objects.equals(s.traceUid(), trace.getMetadata().getUid()) && node.equals(s.node()));
            } catch (KubernetesClientException e) {
                LOG.log(
                        System.Logger.Level.WARNING,
                        "trace={0} previous-report=unreadable error=\"{1}\" effect=\"counting starts at 0\"",
                        trace.key(),
                        e.getMessage());
                return Optional.<NodeReport>empty();
            }
        };
    }

    private static OmittedTargets.PodQuery podQuery(KubernetesClient client) {
        return (namespace, targets, node) -> {
            try {
                java.util.List<Pod> pods = new java.util.ArrayList<>();
                // The selector is evaluated by the API server; the node is checked by the caller (the list is rare:
                // only for traces with more targets than their status lists).
                targets.podSelector()
                        .ifPresent(selector -> pods.addAll(client.pods()
                                .inNamespace(namespace)
                                .withLabelSelector(selector)
                                .list()
                                .getItems()));
                for (String name : targets.podNames()) {
                    Optional.ofNullable(client.pods()
                                    .inNamespace(namespace)
                                    .withName(name)
                                    .get())
                            .ifPresent(pods::add);
                }
                return pods;
            } catch (KubernetesClientException e) {
                LOG.log(
                        System.Logger.Level.WARNING,
                        "namespace={0} target-pods=unlisted error=\"{1}\" effect=\"only the targets in status are traced\"",
                        namespace,
                        e.getMessage());
                return java.util.List.of();
            }
        };
    }

    private static void await(java.util.concurrent.CompletionStage<Void> started, String what) {
        try {
            started.toCompletableFuture().get(SYNC_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while listing " + what, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot watch " + what + ": " + rootCause(e.getCause()), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException(
                    "the API server did not list " + what + " within " + SYNC_TIMEOUT.toSeconds() + " s", e);
        }
    }

    /** The innermost cause that says something, e.g. "Connection refused" under two layers of wrapping. */
    private static String rootCause(Throwable t) {
        String said = t.toString();
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c.getMessage() != null) {
                said = c.getMessage();
            }
        }
        return said;
    }

    private static String describe(DefaultSink sink) {
        return switch (sink) {
            case DefaultSink.Stdout s -> "stdout";
            case DefaultSink.File f -> f.path().toString();
        };
    }
}
