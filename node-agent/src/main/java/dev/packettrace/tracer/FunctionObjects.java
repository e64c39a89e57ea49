// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import dev.packettrace.bindings.BpfLink;
import dev.packettrace.bindings.BpfMap;
import dev.packettrace.bindings.BpfObject;
import dev.packettrace.bindings.BpfProgram;
import dev.packettrace.bindings.LibbpfException;
import dev.packettrace.bindings.LibbpfWarnings;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Loads copies of bpf/skb_functions.bpf.c with libbpf. Every copy shares the tracepoint object's maps (ring
 * buffer, counters, namespace filter, tracked sk_buffs), so function probes and tracepoints feed one event
 * stream and one track-skb set, and carries the same filter configuration in its .rodata.
 */
final class FunctionObjects implements ProbeLoader {

    static final String OBJECT_RESOURCE = "/bpf/skb_functions.bpf.o";
    /** The maps of bpf/include/maps.h; every one is shared. */
    static final List<String> SHARED_MAPS = List.of(
            "pt_events",
            "pt_stats",
            "pt_netns_filter",
            "pt_netns_bits",
            "pt_tracked_skbs",
            PcapPrograms.MAP,
            KernelCountMaps.DROPS,
            KernelCountMaps.PROBES,
            KernelCountMaps.BUDGET);

    private static final String CONFIG_VARIABLE = "pt_cfg";
    private static final String FENTRY_COOKIES = "pt_fentry_cookie";

    private final byte[] elf;
    private final Map<String, BpfMap> shared;
    private final byte[] config;

    /**
     * @param elf         the object's bytes
     * @param tracepoints the loaded tracepoint object whose maps are shared; must stay open while copies load
     * @param config      struct pt_config, as for the tracepoint object
     */
    FunctionObjects(byte[] elf, BpfObject tracepoints, byte[] config) {
        this.elf = elf.clone();
        this.config = config.clone();
        Map<String, BpfMap> maps = new LinkedHashMap<>();
        for (String name : SHARED_MAPS) {
            maps.put(
                    name,
                    tracepoints
                            .map(name)
                            .orElseThrow(() -> new IllegalStateException(
                                    "the tracepoint object has no map " + name + " to share")));
        }
        this.shared = maps;
    }

    @Override
    public ProbeObject load(Set<String> programs) {
        return LibbpfWarnings.expected(() -> loadQuietly(programs));
    }

    @Override
    public ProbeObject loadFentry(List<AttachPlan.Target> slots) {
        return LibbpfWarnings.expected(() -> loadFentryQuietly(slots));
    }

    private ProbeObject loadQuietly(Set<String> programs) {
        return openAndLoad(programs, object -> Rodata.write(object, Map.of(CONFIG_VARIABLE, config)));
    }

    private ProbeObject loadFentryQuietly(List<AttachPlan.Target> slots) {
        if (slots.isEmpty() || slots.size() > AttachPlan.FENTRY_SLOTS_PER_OBJECT) {
            throw new IllegalArgumentException(
                    "an fentry object has 1 to " + AttachPlan.FENTRY_SLOTS_PER_OBJECT + " slots, not " + slots.size());
        }
        Set<String> programs = new HashSet<>();
        for (int i = 0; i < slots.size(); i++) {
            programs.add(AttachPlan.Fentry.program(i));
        }
        return openAndLoad(programs, object -> {
            ByteBuffer cookies =
                    ByteBuffer.allocate(8 * AttachPlan.FENTRY_SLOTS_PER_OBJECT).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < slots.size(); i++) {
                program(object, AttachPlan.Fentry.program(i))
                        .setAttachTarget(slots.get(i).name());
                cookies.putLong(8 * i, slots.get(i).cookie());
            }
            Rodata.write(object, Map.of(CONFIG_VARIABLE, config, FENTRY_COOKIES, cookies.array()));
        });
    }

    /**
     * Opens a copy with only these programs enabled and the shared maps reused, prepares it before load, loads
     * it; a failure frees the copy.
     */
    private ProbeObject openAndLoad(Set<String> programs, Consumer<BpfObject> prepare) {
        BpfObject object = BpfObject.open(elf, "pt_functions");
        try {
            Set<String> missing = new HashSet<>(programs);
            for (BpfProgram p : object.programs()) {
                p.setAutoload(missing.remove(p.name()));
            }
            if (!missing.isEmpty()) {
                throw new IllegalStateException("the function object has no programs " + missing);
            }
            shared.forEach((name, map) -> object.map(name)
                    .orElseThrow(() -> new IllegalStateException("the function object has no map " + name))
                    .reuse(map));
            prepare.accept(object);
            object.load();
            return new Loaded(object);
        } catch (LibbpfException e) {
            object.close();
            throw KernelRefusal.of(e);
        } catch (RuntimeException e) {
            object.close();
            throw e;
        }
    }

    private static BpfProgram program(BpfObject object, String name) {
        return object.programs().stream()
                .filter(p -> p.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("the function object has no program " + name));
    }

    /** One loaded copy. */
    private record Loaded(BpfObject object) implements ProbeObject {

        @Override
        public AutoCloseable attachKprobe(int position, AttachPlan.Target target) {
            return attach(() -> program(object, "ptk_skb" + position).attachKprobe(target.name(), target.cookie()));
        }

        @Override
        public AutoCloseable attachKprobeMulti(int position, List<AttachPlan.Target> targets) {
            long[] cookies =
                    targets.stream().mapToLong(AttachPlan.Target::cookie).toArray();
            List<String> names = targets.stream().map(AttachPlan.Target::name).toList();
            return attach(() ->
                    program(object, AttachPlan.KprobeMulti.program(position)).attachKprobeMulti(names, cookies));
        }

        @Override
        public AutoCloseable attachFentry(int slot, AttachPlan.Target target) {
            return attach(() -> program(object, AttachPlan.Fentry.program(slot)).attachTrace(target.name()));
        }

        @Override
        public List<Integer> programIds() {
            List<Integer> ids = new ArrayList<>();
            for (BpfProgram p : object.programs()) {
                if (p.autoload()) {
                    ids.add(p.kernelId());
                }
            }
            return ids;
        }

        @Override
        public void close() {
            object.close();
        }

        /** Refusals are expected here (a function the kernel cannot probe is skipped and counted). */
        private static BpfLink attach(java.util.function.Supplier<BpfLink> attach) {
            try {
                return LibbpfWarnings.expected(attach);
            } catch (LibbpfException e) {
                throw KernelRefusal.of(e);
            }
        }
    }
}
