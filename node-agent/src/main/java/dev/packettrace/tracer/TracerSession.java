package dev.packettrace.tracer;

import dev.packettrace.bindings.BpfLink;
import dev.packettrace.bindings.BpfMap;
import dev.packettrace.bindings.BpfObject;
import dev.packettrace.bindings.BpfProgram;
import dev.packettrace.bindings.Btf;
import dev.packettrace.bindings.BtfKind;
import dev.packettrace.bindings.BtfType;
import dev.packettrace.bindings.Errno;
import dev.packettrace.bindings.Kernel;
import dev.packettrace.bindings.LibbpfException;
import dev.packettrace.bindings.RingBufferReader;
import dev.packettrace.kernel.Preflight;
import dev.packettrace.kernel.PreflightReport;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One loaded and attached tracer. Closing it detaches every probe and frees every kernel object it
 * created; if the process dies instead, the kernel does the same when its file descriptors close
 * (nothing is pinned), so a kill -9 leaves nothing attached either.
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
    private static final String CONFIG_VARIABLE = "pt_cfg";
    // indexes of pt_stats (PT_STAT_* in bpf/include/maps.h)
    private static final int STAT_LOST = 0;
    private static final int STAT_EMITTED = 1;
    private static final System.Logger LOG = System.getLogger(TracerSession.class.getName());

    private final BpfObject object;
    private final List<BpfLink> links;
    private final RingBufferReader reader;
    private final BpfMap netnsFilter;
    private final BpfMap stats;
    private final List<String> attachedProbes;
    private final List<Integer> programIds;
    private final Backend backend;
    private final String backendReason;
    private final Duration attachTime;
    private final Set<Long> netns = new HashSet<>();
    private final boolean netnsFiltered;
    private long delivered;
    private boolean closed;

    private TracerSession(BpfObject object, List<BpfLink> links, RingBufferReader reader, BpfMap netnsFilter, BpfMap stats,
            List<String> attachedProbes, List<Integer> programIds, Backend backend, String backendReason, Duration attachTime,
            boolean netnsFiltered) {
        this.object = object;
        this.links = links;
        this.reader = reader;
        this.netnsFilter = netnsFilter;
        this.stats = stats;
        this.attachedProbes = List.copyOf(attachedProbes);
        this.programIds = List.copyOf(programIds);
        this.backend = backend;
        this.backendReason = backendReason;
        this.attachTime = attachTime;
        this.netnsFiltered = netnsFiltered;
    }

    /**
     * Loads the BPF object with the filter compiled in, attaches every tracepoint this kernel has,
     * and starts delivering events to the listener from {@link #poll}. Kernel addresses are named
     * from /proc/kallsyms.
     */
    public static TracerSession start(TracerConfig config, TraceListener listener) {
        KernelAddressSymbolizer symbols = KernelAddressSymbolizer.shared();
        TracerSession session = start(config, listener, symbols);
        symbols.prefetch();
        return session;
    }

    /** As {@link #start(TracerConfig, TraceListener)}, naming kernel addresses with the given symbolizer. */
    public static TracerSession start(TracerConfig config, TraceListener listener, AddressSymbolizer symbols) {
        long started = System.nanoTime();
        preflight();
        BackendChoice choice = BackendChoice.choose(config.backend());
        BpfObject object = BpfObject.open(readObject(), "packettrace");
        List<BpfLink> links = new ArrayList<>();
        RingBufferReader reader = null;
        try {
            TracepointCatalog catalog;
            DropReasons reasons;
            try (Btf kernel = loadKernelBtf()) {
                catalog = TracepointCatalog.discover(object.programs().stream().map(BpfProgram::name).toList(), kernel);
                reasons = DropReasons.fromKernel(kernel);
            }
            if (catalog.available().stream().noneMatch(TracepointProbe::reportsDrops)) {
                throw new TracerException(TracerException.Reason.KERNEL_FEATURE,
                        "this kernel has no skb:kfree_skb tracepoint with an sk_buff argument; packettrace needs it to see drops");
            }
            for (BpfProgram program : object.programs()) {
                program.setAutoload(catalog.byProgram(program.name()).isPresent());
            }
            writeConfig(object, ConfigEncoder.encode(config.filter(), config.captureStack(), catalog.available()));
            map(object, "pt_events").setMaxEntries(config.ringBufferBytes());
            load(object);

            BpfMap netnsFilter = map(object, "pt_netns_filter");
            BpfMap stats = map(object, "pt_stats");
            List<String> attached = new ArrayList<>();
            List<Integer> programIds = new ArrayList<>();
            for (TracepointProbe probe : catalog.available()) {
                BpfProgram program = object.programs().stream().filter(p -> p.name().equals(probe.program())).findFirst()
                        .orElseThrow();
                try {
                    links.add(program.attachRawTracepoint(probe.event()));
                    attached.add(probe.displayName());
                    programIds.add(program.kernelId());
                } catch (LibbpfException e) {
                    if (probe.reportsDrops()) {
                        throw attachFailure(probe, e);
                    }
                    LOG.log(System.Logger.Level.WARNING, "probe={0} attach=skipped errno={1}", probe.displayName(), e.errnoName());
                }
            }
            EventDecoder decoder = new EventDecoder(catalog.available(), reasons, symbols);
            reader = new RingBufferReader(map(object, "pt_events"), record -> listener.onEvent(decoder.decode(record)));
            TracerSession session = new TracerSession(object, links, reader, netnsFilter, stats, attached, programIds,
                    choice.backend(), choice.reason(), Duration.ofNanos(System.nanoTime() - started),
                    !config.filter().netnsInodes().isEmpty());
            session.setNetnsFilter(config.filter().netnsInodes());
            LOG.log(System.Logger.Level.DEBUG, "tracer=attached probes={0} unavailable={1} attachMs={2}",
                    attached.size(), catalog.unavailable(), session.attachTime.toMillis());
            return session;
        } catch (RuntimeException e) {
            closeQuietly(reader, links, object, e);
            throw e;
        }
    }

    /** Names of the attached probes, e.g. "skb:kfree_skb". */
    @Override
    public List<String> attachedProbes() {
        return attachedProbes;
    }

    /** The kernel's ids of the attached programs, as `bpftool prog show id N` knows them. */
    public List<Integer> kernelProgramIds() {
        return programIds;
    }

    /** The backend in use (never AUTO). */
    @Override
    public Backend backend() {
        return backend;
    }

    /** Why this backend: the user asked for it, or what auto-detection found. */
    @Override
    public String backendReason() {
        return backendReason;
    }

    /** How long loading, verifying and attaching took. */
    @Override
    public Duration attachTime() {
        return attachTime;
    }

    /**
     * Replaces the set of traced network namespaces while tracing (the node agent follows pods as
     * they come and go). Only for sessions started with a namespace filter: a session started
     * without one traces every namespace and cannot be narrowed later.
     */
    public synchronized void setNetnsFilter(Set<Long> inodes) {
        ensureOpen();
        if (!netnsFiltered && !inodes.isEmpty()) {
            throw new IllegalStateException("this session was started without a network namespace filter");
        }
        if (inodes.size() > TraceFilter.MAX_NETNS) {
            throw new IllegalArgumentException("at most " + TraceFilter.MAX_NETNS + " network namespaces, got " + inodes.size());
        }
        for (Long gone : Set.copyOf(netns)) {
            if (!inodes.contains(gone)) {
                netnsFilter.delete(u32(gone));
                netns.remove(gone);
            }
        }
        for (Long inode : inodes) {
            if (netns.add(inode)) {
                netnsFilter.update(u32(inode), new byte[] {1});
            }
        }
    }

    /** Waits up to timeout for events and delivers them to the listener; returns how many. */
    @Override
    public synchronized int poll(Duration timeout) {
        ensureOpen();
        int n = reader.poll((int) Math.min(Integer.MAX_VALUE, Math.max(0, timeout.toMillis())));
        delivered += n;
        return n;
    }

    /** Delivers what is in the ring buffer now, without waiting. */
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
        return new TraceStats(delivered, perCpuSum(STAT_LOST));
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeQuietly(reader, links, object, null);
    }

    private long perCpuSum(int index) {
        int cpus = Kernel.possibleCpus();
        return stats.lookup(u32(index), 8 * cpus).map(bytes -> {
            ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            long sum = 0;
            for (int i = 0; i < cpus; i++) {
                sum += b.getLong(i * 8);
            }
            return sum;
        }).orElse(0L);
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("tracer session is closed");
        }
    }

    private static byte[] u32(long value) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) value).array();
    }

    /** Says what is missing (privileges, BTF) before libbpf fails with a bare errno. */
    private static void preflight() {
        PreflightReport report = Preflight.forThisProcess().run();
        if (!report.ok()) {
            boolean privileges = report.problems().stream().anyMatch(p -> p.check().toLowerCase(java.util.Locale.ROOT).contains("cap"));
            throw new TracerException(privileges ? TracerException.Reason.PERMISSION : TracerException.Reason.KERNEL_FEATURE,
                    "packettrace cannot trace here:\n" + report.problems().stream().map(p -> "  - " + p.message())
                            .collect(java.util.stream.Collectors.joining("\n")));
        }
        report.warnings().forEach(w -> LOG.log(System.Logger.Level.WARNING, "preflight={0} warning=\"{1}\"", w.check(), w.message()));
    }

    private static byte[] readObject() {
        try (InputStream in = TracerSession.class.getResourceAsStream(OBJECT_RESOURCE)) {
            if (in == null) {
                throw new TracerException(TracerException.Reason.LIBBPF, "the BPF object " + OBJECT_RESOURCE
                        + " is missing from the classpath: build node-agent with ./mvnw package (it compiles bpf/ with clang)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new TracerException(TracerException.Reason.LIBBPF, "could not read " + OBJECT_RESOURCE + ": " + e.getMessage(), e);
        }
    }

    private static Btf loadKernelBtf() {
        try {
            return Btf.loadVmlinux();
        } catch (LibbpfException e) {
            throw new TracerException(TracerException.Reason.KERNEL_FEATURE,
                    "cannot read the kernel's BTF (/sys/kernel/btf/vmlinux): the kernel needs CONFIG_DEBUG_INFO_BTF=y ("
                            + e.errnoName() + ")", e);
        }
    }

    private static BpfMap map(BpfObject object, String name) {
        return object.map(name).orElseThrow(() -> new IllegalStateException("BPF object has no map " + name));
    }

    private static void writeConfig(BpfObject object, byte[] config) {
        BpfMap rodata = map(object, ".rodata");
        BtfType section = object.btf().find(".rodata", BtfKind.DATASEC).stream().mapToObj(object.btf()::type)
                .findFirst().orElseThrow(() -> new IllegalStateException("BPF object has no .rodata section in its BTF"));
        BtfType.Member variable = section.members().stream().filter(m -> m.name().equals(CONFIG_VARIABLE)).findFirst()
                .orElseThrow(() -> new IllegalStateException("BPF object has no " + CONFIG_VARIABLE + " in .rodata"));
        if (variable.size() != config.length) {
            throw new IllegalStateException(CONFIG_VARIABLE + " is " + variable.size() + " bytes in the BPF object but "
                    + config.length + " in ConfigEncoder: rebuild both from the same sources");
        }
        byte[] data = rodata.initialValue();
        System.arraycopy(config, 0, data, (int) variable.value(), config.length);
        rodata.setInitialValue(data);
    }

    private static void load(BpfObject object) {
        try {
            object.load();
        } catch (LibbpfException e) {
            if (e.errno() == Errno.EPERM) {
                throw new TracerException(TracerException.Reason.PERMISSION,
                        "the kernel refused to load BPF programs (EPERM): run as root, or grant CAP_BPF and CAP_PERFMON "
                                + "(or CAP_SYS_ADMIN on kernels before 5.8)", e);
            }
            if (e.errno() == Errno.EACCES || e.errno() == Errno.EINVAL || e.errno() == Errno.E2BIG) {
                throw new TracerException(TracerException.Reason.VERIFIER,
                        "the BPF verifier rejected the tracer on this kernel (" + e.errnoName() + "). Verifier log:\n"
                                + String.join("\n", e.libbpfLog()), e);
            }
            throw new TracerException(TracerException.Reason.LIBBPF, "loading the BPF tracer failed: " + e.getMessage(), e);
        }
    }

    private static TracerException attachFailure(TracepointProbe probe, LibbpfException e) {
        if (e.errno() == Errno.EPERM || e.errno() == Errno.EACCES) {
            return new TracerException(TracerException.Reason.PERMISSION, "attaching to " + probe.displayName()
                    + " was refused (" + e.errnoName() + "): run as root, or grant CAP_BPF and CAP_PERFMON", e);
        }
        return new TracerException(TracerException.Reason.ATTACH, "attaching to " + probe.displayName() + " failed: "
                + e.getMessage(), e);
    }

    private static void closeQuietly(RingBufferReader reader, List<BpfLink> links, BpfObject object, RuntimeException primary) {
        List<AutoCloseable> order = new ArrayList<>();
        if (reader != null) {
            order.add(reader);
        }
        for (int i = links.size() - 1; i >= 0; i--) {
            order.add(links.get(i));
        }
        order.add(object);
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
