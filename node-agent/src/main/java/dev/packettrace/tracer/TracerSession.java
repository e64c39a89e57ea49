// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import dev.packettrace.bindings.BpfMap;
import dev.packettrace.bindings.Btf;
import dev.packettrace.bindings.LibbpfException;
import dev.packettrace.bindings.RingBufferReader;
import dev.packettrace.kernel.Preflight;
import dev.packettrace.kernel.PreflightReport;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One loaded and attached tracer: the tracepoint object, which owns the shared maps, and, when a
 * function-level backend serves, the function probes next to it. Closing it detaches every probe and
 * frees every kernel object it created; if the process dies instead, the kernel does the same when its
 * file descriptors close (nothing is pinned), so a kill -9 leaves nothing attached either.
 *
 * <p>{@link #poll} and {@link #close} may be called from different threads; they never overlap.
 *
 * <pre>{@code
 * try (TracerSession s = TracerSession.start(config, listener, symbols)) {
 *     while (!done) s.poll(Duration.ofMillis(100));
 * }
 * }</pre>
 */
public final class TracerSession implements Tracer {

    static final String OBJECT_RESOURCE = "/bpf/skb_tracepoints.bpf.o";
    /** The function fentry's trampoline check binds to; see attachFunctions. */
    private static final String TRAMPOLINE_PROBE = "consume_skb";
    // indexes of pt_stats (PT_STAT_* in bpf/include/maps.h)
    private static final int STAT_LOST = 0;
    private static final int STAT_EMITTED = 1;
    private static final int STAT_MATCHED = 2;
    private static final int STAT_OVER_BUDGET = 3;
    private static final int STAT_UNCOUNTED = 4;
    private static final System.Logger LOG = System.getLogger(TracerSession.class.getName());

    private final TracepointProbes tracepoints;
    private final Optional<FunctionProbes> functions;
    private final RingBufferReader reader;
    private final NetnsFilterMap netnsFilter;
    private final BpfMap stats;
    private final BackendChoice choice;
    private final Duration attachTime;
    private final Optional<KernelCountMaps> counts;
    private long delivered;
    private boolean closed;

    private TracerSession(
            TracepointProbes tracepoints,
            Optional<FunctionProbes> functions,
            RingBufferReader reader,
            NetnsFilterMap netnsFilter,
            BackendChoice choice,
            Duration attachTime,
            Optional<KernelCountMaps> counts) {
        this.counts = counts;
        this.tracepoints = tracepoints;
        this.functions = functions;
        this.reader = reader;
        this.netnsFilter = netnsFilter;
        this.stats = tracepoints.map("pt_stats");
        this.choice = choice;
        this.attachTime = attachTime;
    }

    /**
     * Loads the BPF objects with the filter compiled in, attaches the tracepoints and the backend's
     * function probes, and starts delivering events to the listener from {@link #poll}. Kernel addresses
     * are named from /proc/kallsyms.
     */
    public static TracerSession start(TracerConfig config, TraceListener listener) {
        return start(config, listener, AttachMonitor.none());
    }

    /** As {@link #start(TracerConfig, TraceListener)}, reporting attach progress to the monitor, which may cancel. */
    public static TracerSession start(TracerConfig config, TraceListener listener, AttachMonitor monitor) {
        KernelAddressSymbolizer symbols = KernelAddressSymbolizer.shared();
        TracerSession session = start(config, listener, symbols, monitor);
        symbols.prefetch();
        return session;
    }

    /** As {@link #start(TracerConfig, TraceListener)}, naming kernel addresses with the given symbolizer. */
    public static TracerSession start(TracerConfig config, TraceListener listener, AddressSymbolizer symbols) {
        return start(config, listener, symbols, AttachMonitor.none());
    }

    /**
     * Loads, attaches and starts delivering events.
     *
     * @throws TracerException when the tracer cannot start here (the message says why and what to do), or
     *                         with reason CANCELLED when the monitor cancelled while attaching; nothing stays
     *                         attached in either case
     */
    public static TracerSession start(
            TracerConfig config, TraceListener listener, AddressSymbolizer symbols, AttachMonitor monitor) {
        long started = System.nanoTime();
        preflight();
        TracepointProbes tracepoints = TracepointProbes.open(readObject(OBJECT_RESOURCE));
        Optional<FunctionProbes> functions = Optional.empty();
        RingBufferReader reader = null;
        try {
            TracepointCatalog catalog;
            DropReasons reasons;
            NetnsFilterMap netnsFilter;
            BackendSelector.Selection selection;
            Optional<FunctionCatalog> functionCatalog;
            // open until the backend is chosen: function discovery reads it, and only if a backend gets that far
            try (Btf kernel = loadKernelBtf()) {
                KernelFeatures features = KernelFeatures.detect(kernel);
                catalog = TracepointCatalog.discover(tracepoints.programNames(), kernel);
                reasons = DropReasons.fromKernel(kernel);
                if (catalog.available().stream().noneMatch(TracepointProbe::reportsDrops)) {
                    throw new TracerException(
                            TracerException.Reason.KERNEL_FEATURE,
                            "this kernel has no skb:kfree_skb tracepoint with an sk_buff argument; packettrace needs it to see drops");
                }

                if (!config.expressions().filters().isEmpty() && !KernelFeatures.bpfLoop(kernel)) {
                    throw new TracerException(TracerException.Reason.KERNEL_FEATURE, KernelFeatures.bpfLoopMissing());
                }
                byte[] configBytes = ConfigEncoder.encode(
                        config.filter(),
                        config.captureStack(),
                        config.outputCaller(),
                        config.expressions(),
                        config.stream(),
                        catalog.available());
                tracepoints.load(catalog, configBytes, config.ringBufferBytes());
                // the expressions' programs are in place before the first probe fires
                PcapPrograms.write(tracepoints.map(PcapPrograms.MAP), config.expressions());
                // the namespace filter is in place before the first probe fires
                netnsFilter = new NetnsFilterMap(
                        tracepoints.map("pt_netns_filter"),
                        tracepoints.map("pt_netns_bits"),
                        !config.filter().netnsInodes().isEmpty());
                netnsFilter.set(config.filter().netnsInodes());
                tracepoints.attach();

                DiscoveredFunctions discovered = new DiscoveredFunctions(kernel, config.functionFilter());
                selection = BackendSelector.select(
                        config.backend(),
                        backend -> attachFunctions(
                                backend, features, kernel, discovered, tracepoints, configBytes, monitor));
                functionCatalog = discovered.ifDiscovered();
            }
            functions = selection.functions();
            // what could not be checked beforehand matters only when functions are probed
            System.Logger.Level notes = functions.isPresent() ? System.Logger.Level.INFO : System.Logger.Level.DEBUG;
            functionCatalog.ifPresent(c -> c.notes().forEach(n -> LOG.log(notes, "functions=\"{0}\"", n)));

            List<String> functionNames =
                    functions.isPresent() ? functionCatalog.orElseThrow().names() : List.of();
            EventDecoder decoder =
                    new EventDecoder(catalog.available(), reasons, symbols, functionNames, config.expressions());
            reader = new RingBufferReader(
                    tracepoints.map("pt_events"), record -> listener.onEvent(decoder.decode(record)));
            Optional<KernelCountMaps> counts = config.stream().kernelCounts()
                    ? Optional.of(new KernelCountMaps(
                            tracepoints.map(KernelCountMaps.DROPS), tracepoints.map(KernelCountMaps.PROBES), decoder))
                    : Optional.empty();
            TracerSession session = new TracerSession(
                    tracepoints,
                    functions,
                    reader,
                    netnsFilter,
                    selection.choice(),
                    Duration.ofNanos(System.nanoTime() - started),
                    counts);
            LOG.log(
                    System.Logger.Level.DEBUG,
                    "tracer=attached backend={0} tracepoints={1} functions={2} ignored={3} "
                            + "unavailable={4} attachMs={5}",
                    selection.choice().backend().flagName(),
                    tracepoints.attached().size(),
                    functions.map(FunctionProbes::attachedCount).orElse(0),
                    functions.map(FunctionProbes::ignoredCount).orElse(0),
                    catalog.unavailable(),
                    session.attachTime.toMillis());
            return session;
        } catch (RuntimeException e) {
            closeAll(reader, functions, tracepoints, e);
            throw e;
        }
    }

    /** Names of the attached probes: tracepoints ("skb:kfree_skb") then kernel functions ("ip_rcv"). */
    @Override
    public List<String> attachedProbes() {
        List<String> all = new ArrayList<>(tracepoints.attached());
        functions.ifPresent(f -> all.addAll(f.attachedFunctions()));
        return List.copyOf(all);
    }

    /** Kernel functions the backend tried but the kernel refused, with the kernel's answer (an errno name). */
    public Map<String, String> ignoredFunctions() {
        return functions.map(FunctionProbes::ignored).orElse(Map.of());
    }

    @Override
    public Map<String, String> ignoredProbes() {
        return ignoredFunctions();
    }

    /** The kernel's ids of the loaded programs, as `bpftool prog show id N` knows them. */
    public List<Integer> kernelProgramIds() {
        List<Integer> ids = new ArrayList<>(tracepoints.programIds());
        functions.ifPresent(f -> ids.addAll(f.programIds()));
        return List.copyOf(ids);
    }

    /** The backend in use (never AUTO); TRACEPOINT when no function-level backend serves. */
    @Override
    public Backend backend() {
        return choice.backend();
    }

    /** Why this backend: the user asked for it, or what auto-detection found. */
    @Override
    public String backendReason() {
        return choice.reason();
    }

    /** How long loading, verifying and attaching took. */
    @Override
    public Duration attachTime() {
        return attachTime;
    }

    /** In place, through the namespace map the probes read, so no event is missed while pods come and go. */
    @Override
    public synchronized void setNetns(Set<Long> inodes) {
        ensureOpen();
        netnsFilter.set(inodes);
    }

    /** Waits up to timeout for events and delivers them to the listener; returns how many. */
    @Override
    public synchronized int poll(Duration timeout) {
        ensureOpen();
        int n = reader.poll((int) Math.min(Integer.MAX_VALUE, Math.max(0, timeout.toMillis())));
        delivered += n;
        return n;
    }

    /** Empties the ring buffer in one pass instead of a zero-timeout poll's wait on it. */
    @Override
    public synchronized int drain() {
        ensureOpen();
        int n = reader.drain();
        delivered += n;
        return n;
    }

    /** Events the BPF side wrote into the ring buffer (delivered or still waiting there). */
    public synchronized long emittedByKernel() {
        ensureOpen();
        return perCpuSum(STAT_EMITTED);
    }

    /** Events delivered so far and events the kernel side could not fit in the ring buffer. */
    @Override
    public synchronized TraceStats stats() {
        ensureOpen();
        return new TraceStats(delivered, perCpuSum(STAT_LOST), perCpuSum(STAT_OVER_BUDGET));
    }

    /**
     * The kernel's counts so far, when the session keeps them. Read at once by the caller: a count of a hit whose
     * event is still in the ring buffer is already here.
     */
    @Override
    public synchronized Optional<KernelCounts> kernelCounts() {
        ensureOpen();
        return counts.map(c -> c.read(perCpuSum(STAT_MATCHED), perCpuSum(STAT_OVER_BUDGET), perCpuSum(STAT_UNCOUNTED)));
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeAll(reader, functions, tracepoints, null);
    }

    private static FunctionProbes attachFunctions(
            Backend backend,
            KernelFeatures features,
            Btf kernel,
            DiscoveredFunctions discovered,
            TracepointProbes tracepoints,
            byte[] config,
            AttachMonitor monitor) {
        if (backend == Backend.KPROBE && !features.kprobes()) {
            throw new TracerException(TracerException.Reason.KERNEL_FEATURE, features.kprobesMissing());
        }
        if (backend == Backend.KPROBE_MULTI && !features.kprobeMulti()) {
            throw new TracerException(TracerException.Reason.KERNEL_FEATURE, features.kprobeMultiMissing());
        }
        ProbeLoader loader =
                new FunctionObjects(readObject(FunctionObjects.OBJECT_RESOURCE), tracepoints.object(), config);
        if (backend == Backend.FENTRY) {
            // consume_skb(struct sk_buff *) is in every kernel's BTF: the function behind skb:consume_skb
            FunctionDiscovery.named(kernel, TRAMPOLINE_PROBE).ifPresent(f -> FentryAttach.checkTrampolines(loader, f));
        }
        FunctionCatalog catalog = discovered.get();
        AttachPlan plan = AttachPlan.of(backend, catalog);
        try {
            return FunctionAttach.attach(plan, loader, monitor, ParallelAttach.defaultThreads());
        } catch (KernelRefusal r) {
            throw new TracerException(
                    TracerException.Reason.ATTACH, backend.flagName() + " failed: " + r.getMessage(), r);
        }
    }

    private long perCpuSum(int index) {
        return stats.sumPerCpu(NetnsFilterMap.u32(index));
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("tracer session is closed");
        }
    }

    /** Says what is missing (privileges, BTF) before libbpf fails with a bare errno. */
    private static void preflight() {
        PreflightReport report = Preflight.forThisProcess().run();
        if (!report.ok()) {
            boolean privileges = report.problems().stream()
                    .anyMatch(p -> p.check().toLowerCase(java.util.Locale.ROOT).contains("cap"));
            throw new TracerException(
                    privileges ? TracerException.Reason.PERMISSION : TracerException.Reason.KERNEL_FEATURE,
                    "packettrace cannot trace here:\n"
                            + report.problems().stream()
                                    .map(p -> "  - " + p.message())
                                    .collect(java.util.stream.Collectors.joining("\n")));
        }
        report.warnings()
                .forEach(w ->
                        LOG.log(System.Logger.Level.WARNING, "preflight={0} warning=\"{1}\"", w.check(), w.message()));
    }

    static byte[] readObject(String resource) {
        try (InputStream in = TracerSession.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new TracerException(
                        TracerException.Reason.LIBBPF,
                        "the BPF object " + resource
                                + " is missing from the classpath: build node-agent with ./mvnw package (it compiles bpf/ with clang)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new TracerException(
                    TracerException.Reason.LIBBPF, "could not read " + resource + ": " + e.getMessage(), e);
        }
    }

    /**
     * The function set, discovered from BTF when a function-level backend first needs it, then kept: the
     * scan costs hundreds of milliseconds, which a kernel without any such backend should not pay.
     */
    private static final class DiscoveredFunctions {
        private final Btf kernel;
        private final FunctionFilter filter;
        private FunctionCatalog catalog;

        DiscoveredFunctions(Btf kernel, FunctionFilter filter) {
            this.kernel = kernel;
            this.filter = filter;
        }

        FunctionCatalog get() {
            if (catalog == null) {
                catalog = FunctionCatalog.select(FunctionDiscovery.discover(kernel), TraceableFunctions.read(), filter);
            }
            return catalog;
        }

        Optional<FunctionCatalog> ifDiscovered() {
            return Optional.ofNullable(catalog);
        }
    }

    private static Btf loadKernelBtf() {
        try {
            return Btf.loadVmlinux();
        } catch (LibbpfException e) {
            throw new TracerException(
                    TracerException.Reason.KERNEL_FEATURE,
                    "cannot read the kernel's BTF (/sys/kernel/btf/vmlinux): the kernel needs CONFIG_DEBUG_INFO_BTF=y ("
                            + e.errnoName() + ")",
                    e);
        }
    }

    /** Closes the reader, then the function probes, then the tracepoints (which own the shared maps). */
    private static void closeAll(
            RingBufferReader reader,
            Optional<FunctionProbes> functions,
            TracepointProbes tracepoints,
            RuntimeException primary) {
        List<AutoCloseable> order = new ArrayList<>();
        if (reader != null) {
            order.add(reader);
        }
        functions.ifPresent(order::add);
        order.add(tracepoints);
        RuntimeException first = primary;
        for (AutoCloseable c : order) {
            try {
                c.close();
            } catch (Exception e) {
                if (first == null) {
                    first = e instanceof RuntimeException r ? r : new IllegalStateException(e);
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (primary == null && first != null) {
            throw first;
        }
    }
}
