// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import dev.packettrace.bindings.BpfLink;
import dev.packettrace.bindings.BpfMap;
import dev.packettrace.bindings.BpfObject;
import dev.packettrace.bindings.BpfProgram;
import dev.packettrace.bindings.Errno;
import dev.packettrace.bindings.LibbpfException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The tracepoint object: its programs on the skb tracepoints this kernel has, and the maps every backend
 * shares (it is loaded first and owns them). Closing detaches its links, then frees the object.
 */
final class TracepointProbes implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(TracepointProbes.class.getName());
    private static final String CONFIG_VARIABLE = "pt_cfg";

    private final BpfObject object;
    private TracepointCatalog catalog;
    private final List<BpfLink> links = new ArrayList<>();
    private final List<String> attached = new ArrayList<>();
    private final List<Integer> programIds = new ArrayList<>();
    private boolean closed;

    private TracepointProbes(BpfObject object) {
        this.object = object;
    }

    /** Opens the object; nothing is loaded into the kernel yet. */
    static TracepointProbes open(byte[] elf) {
        return new TracepointProbes(BpfObject.open(elf, "packettrace"));
    }

    /** The programs' ELF names, for {@link TracepointCatalog#discover}. */
    List<String> programNames() {
        return object.programs().stream().map(BpfProgram::name).toList();
    }

    /** Loads the catalog's programs with the given configuration; nothing is attached yet. */
    void load(TracepointCatalog catalog, byte[] config, int ringBufferBytes) {
        for (BpfProgram program : object.programs()) {
            program.setAutoload(catalog.byProgram(program.name()).isPresent());
        }
        Rodata.write(object, Map.of(CONFIG_VARIABLE, config));
        map(object, "pt_events").setMaxEntries(ringBufferBytes);
        loadObject(object);
        this.catalog = catalog;
    }

    /** Attaches every available tracepoint; a kernel refusing skb:kfree_skb fails, any other is skipped. */
    void attach() {
        if (catalog == null) {
            throw new IllegalStateException("load the tracepoint object before attaching it");
        }
        for (TracepointProbe probe : catalog.available()) {
            BpfProgram program = object.programs().stream()
                    .filter(p -> p.name().equals(probe.program()))
                    .findFirst()
                    .orElseThrow();
            try {
                links.add(program.attachTrace(probe.event()));
                attached.add(probe.displayName());
                programIds.add(program.kernelId());
            } catch (LibbpfException e) {
                if (probe.reportsDrops()) {
                    throw attachFailure(probe, e);
                }
                LOG.log(
                        System.Logger.Level.WARNING,
                        "probe={0} attach=skipped errno={1}",
                        probe.displayName(),
                        e.errnoName());
            }
        }
    }

    BpfObject object() {
        return object;
    }

    BpfMap map(String name) {
        return map(object, name);
    }

    /** "skb:kfree_skb", ... */
    List<String> attached() {
        return List.copyOf(attached);
    }

    List<Integer> programIds() {
        return List.copyOf(programIds);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        RuntimeException first = null;
        for (int i = links.size() - 1; i >= 0; i--) {
            try {
                links.get(i).close();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        try {
            object.close();
        } catch (RuntimeException e) {
            if (first == null) {
                first = e;
            } else {
                first.addSuppressed(e);
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private static BpfMap map(BpfObject object, String name) {
        return object.map(name).orElseThrow(() -> new IllegalStateException("BPF object has no map " + name));
    }

    private static void loadObject(BpfObject object) {
        try {
            object.load();
        } catch (LibbpfException e) {
            if (e.errno() == Errno.EPERM) {
                throw new TracerException(
                        TracerException.Reason.PERMISSION,
                        "the kernel refused to load BPF programs (EPERM): run as root, or grant CAP_BPF and CAP_PERFMON "
                                + "(or CAP_SYS_ADMIN on kernels before 5.8)",
                        e);
            }
            if (e.errno() == Errno.EACCES || e.errno() == Errno.EINVAL || e.errno() == Errno.E2BIG) {
                throw new TracerException(
                        TracerException.Reason.VERIFIER,
                        "the BPF verifier rejected the tracer on this kernel (" + e.errnoName() + "). Verifier log:\n"
                                + String.join("\n", e.libbpfLog()),
                        e);
            }
            throw new TracerException(
                    TracerException.Reason.LIBBPF, "loading the BPF tracer failed: " + e.getMessage(), e);
        }
    }

    private static TracerException attachFailure(TracepointProbe probe, LibbpfException e) {
        if (e.errno() == Errno.EPERM || e.errno() == Errno.EACCES) {
            return new TracerException(
                    TracerException.Reason.PERMISSION,
                    "attaching to " + probe.displayName() + " was refused (" + e.errnoName()
                            + "): run as root, or grant CAP_BPF and CAP_PERFMON",
                    e);
        }
        return new TracerException(
                TracerException.Reason.ATTACH, "attaching to " + probe.displayName() + " failed: " + e.getMessage(), e);
    }
}
