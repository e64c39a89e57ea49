// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Which program of bpf/skb_functions.bpf.c goes to which function, for one function-level backend. Pure
 * data, computed from the catalog before anything touches the kernel.
 */
public sealed interface AttachPlan permits AttachPlan.KprobeMulti, AttachPlan.Kprobe, AttachPlan.Fentry {

    /** Functions per kprobe batch: the unit of parallel work and of progress reports. */
    int KPROBE_BATCH = 64;
    /** Mirrors PT_FENTRY_SLOTS in bpf/skb_functions.bpf.c: fentry programs per object. */
    int FENTRY_SLOTS_PER_OBJECT = 64;

    Backend backend();

    /** Every function the plan attaches, in catalog order. */
    List<Target> targets();

    /**
     * One function of the catalog.
     *
     * @param index its position in the catalog, carried in the cookie
     */
    record Target(int index, SkbFunction function) {
        public String name() {
            return function.name();
        }

        public long cookie() {
            return FunctionCookie.of(index, function);
        }
    }

    /** kprobe-multi: one link per sk_buff position, with all of that position's functions. */
    record KprobeMulti(SortedMap<Integer, List<Target>> byPosition) implements AttachPlan {
        public KprobeMulti {
            TreeMap<Integer, List<Target>> copy = new TreeMap<>();
            byPosition.forEach((position, targets) -> {
                if (position < 1 || position > SkbFunction.MAX_SKB_PARAM) {
                    throw new IllegalArgumentException(
                            "sk_buff position " + position + " is outside 1.." + SkbFunction.MAX_SKB_PARAM);
                }
                copy.put(position, List.copyOf(targets));
            });
            byPosition = Collections.unmodifiableSortedMap(copy);
        }

        @Override
        public Backend backend() {
            return Backend.KPROBE_MULTI;
        }

        @Override
        public List<Target> targets() {
            return sortedByIndex(
                    byPosition.values().stream().flatMap(List::stream).toList());
        }

        public static String program(int position) {
            return "ptm_skb" + position;
        }
    }

    /** kprobe: one link per function, attached batch by batch on several threads. */
    record Kprobe(List<List<Target>> batches) implements AttachPlan {
        public Kprobe {
            batches = batches.stream().map(List::copyOf).toList();
        }

        @Override
        public Backend backend() {
            return Backend.KPROBE;
        }

        @Override
        public List<Target> targets() {
            return sortedByIndex(batches.stream().flatMap(List::stream).toList());
        }

        public static String program(Target target) {
            return "ptk_skb" + target.function().skbParam();
        }
    }

    /**
     * fentry: one program per function, because a trampoline program is bound to its function when it is
     * loaded. Each inner list fills the slots of one copy of the object, slot i with function i.
     */
    record Fentry(List<List<Target>> objects) implements AttachPlan {
        public Fentry {
            objects = objects.stream().map(List::copyOf).toList();
            for (List<Target> slots : objects) {
                if (slots.isEmpty() || slots.size() > FENTRY_SLOTS_PER_OBJECT) {
                    throw new IllegalArgumentException(
                            "an fentry object has 1 to " + FENTRY_SLOTS_PER_OBJECT + " slots, not " + slots.size());
                }
            }
        }

        @Override
        public Backend backend() {
            return Backend.FENTRY;
        }

        @Override
        public List<Target> targets() {
            return sortedByIndex(objects.stream().flatMap(List::stream).toList());
        }

        /** Slot programs are named this prefix and the slot number, ptf_slot0 upwards. */
        public static final String PROGRAM_PREFIX = "ptf_slot";

        public static String program(int slot) {
            return PROGRAM_PREFIX + slot;
        }
    }

    /** The plan of a function-level backend for every function of the catalog. */
    static AttachPlan of(Backend backend, FunctionCatalog catalog) {
        List<Target> targets = new ArrayList<>();
        for (int i = 0; i < catalog.functions().size(); i++) {
            targets.add(new Target(i, catalog.functions().get(i)));
        }
        return switch (backend) {
            case KPROBE_MULTI -> {
                SortedMap<Integer, List<Target>> byPosition = new TreeMap<>();
                targets.forEach(t -> byPosition
                        .computeIfAbsent(t.function().skbParam(), p -> new ArrayList<>())
                        .add(t));
                yield new KprobeMulti(byPosition);
            }
            case KPROBE -> new Kprobe(chunks(targets, KPROBE_BATCH));
            case FENTRY -> new Fentry(chunks(targets, FENTRY_SLOTS_PER_OBJECT));
            case AUTO, TRACEPOINT ->
                throw new IllegalArgumentException(backend.flagName() + " does not probe functions");
        };
    }

    private static List<List<Target>> chunks(List<Target> targets, int size) {
        List<List<Target>> out = new ArrayList<>();
        for (int from = 0; from < targets.size(); from += size) {
            out.add(targets.subList(from, Math.min(targets.size(), from + size)));
        }
        return out;
    }

    private static List<Target> sortedByIndex(List<Target> targets) {
        List<Target> sorted = new ArrayList<>(targets);
        sorted.sort(java.util.Comparator.comparingInt(Target::index));
        return List.copyOf(sorted);
    }
}
