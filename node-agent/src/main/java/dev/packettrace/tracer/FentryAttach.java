// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * fentry: copies of the object, each with up to {@link AttachPlan#FENTRY_SLOTS_PER_OBJECT} programs bound to
 * one function each, loaded and attached on several threads. The verifier checks each program against its
 * function's prototype; when it rejects one, libbpf names it, and the object is loaded again without that
 * function (libbpf cannot load an object a second time, so a fresh copy is opened).
 */
final class FentryAttach {

    private FentryAttach() {}

    /**
     * Finds out whether the kernel allows BPF trampolines at all, by loading one program bound to the given
     * function, before the caller pays for discovering and planning the whole function set (a BTF scan of
     * hundreds of milliseconds, wasted on kernels that refuse trampolines, such as the CI hosts).
     *
     * @throws TracerException when the kernel refuses trampolines; a refusal of that one function is left to
     *                         the real attach, which skips and counts it
     */
    static void checkTrampolines(ProbeLoader loader, SkbFunction probe) {
        try (ProbeLoader.ProbeObject _ = loader.loadFentry(List.of(new AttachPlan.Target(0, probe)))) {
            // loaded, so trampolines are allowed; it is unloaded again at once
        } catch (KernelRefusal r) {
            if (r.refusesBackend()) {
                throw refusal(r);
            }
        }
    }

    private static TracerException refusal(KernelRefusal r) {
        return new TracerException(
                TracerException.Reason.KERNEL_FEATURE,
                "the kernel refuses BPF trampolines (" + r.errnoName() + " loading an fentry program)",
                r);
    }

    static void attach(AttachPlan.Fentry plan, ProbeLoader loader, FunctionProbes probes, int threads) {
        List<Runnable> jobs = new ArrayList<>();
        for (List<AttachPlan.Target> slots : plan.objects()) {
            jobs.add(() -> attachObject(slots, loader, probes));
        }
        ParallelAttach.run(jobs, threads, probes);
    }

    private static void attachObject(List<AttachPlan.Target> planned, ProbeLoader loader, FunctionProbes probes) {
        List<AttachPlan.Target> slots = new ArrayList<>(planned);
        ProbeLoader.ProbeObject object = null;
        while (object == null && !slots.isEmpty()) {
            probes.checkContinue();
            try {
                object = loader.loadFentry(slots);
            } catch (KernelRefusal r) {
                if (r.refusesBackend()) {
                    throw refusal(r);
                }
                Optional<Integer> slot =
                        r.failedProgram().flatMap(FentryAttach::slotOf).filter(s -> s < slots.size());
                if (slot.isEmpty()) {
                    // libbpf did not say which program failed: give up on this object's functions only
                    for (AttachPlan.Target t : slots) {
                        FunctionAttach.refused(probes, t, r);
                    }
                    return;
                }
                FunctionAttach.refused(probes, slots.remove((int) slot.get()), r);
            }
        }
        if (object == null) {
            return;
        }
        probes.ownObject(object);
        object.programIds().forEach(probes::addProgramId);
        for (int slot = 0; slot < slots.size(); slot++) {
            probes.checkContinue();
            try {
                probes.ownLink(
                        object.attachFentry(slot, slots.get(slot)),
                        List.of(slots.get(slot).name()));
            } catch (KernelRefusal r) {
                FunctionAttach.refused(probes, slots.get(slot), r);
            }
        }
    }

    /** "ptf_slot12" -> 12 */
    static Optional<Integer> slotOf(String program) {
        String prefix = AttachPlan.Fentry.PROGRAM_PREFIX;
        if (!program.startsWith(prefix)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Integer.parseInt(program.substring(prefix.length())));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
