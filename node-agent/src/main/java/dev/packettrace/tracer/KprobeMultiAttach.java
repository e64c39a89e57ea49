// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * kprobe-multi: one link per sk_buff position attaches its program to all of that position's functions.
 * When the kernel rejects a list because of some of its functions, the list is halved until the culprits
 * are isolated and skipped; a few extra links are the price for not losing the rest.
 */
final class KprobeMultiAttach {

    private KprobeMultiAttach() {}

    static void attach(AttachPlan.KprobeMulti plan, ProbeLoader loader, FunctionProbes probes, int threads) {
        probes.checkContinue();
        Set<String> programs = plan.byPosition().keySet().stream()
                .map(AttachPlan.KprobeMulti::program)
                .collect(Collectors.toSet());
        ProbeLoader.ProbeObject object;
        try {
            object = loader.load(programs);
        } catch (KernelRefusal r) {
            throw new TracerException(
                    TracerException.Reason.KERNEL_FEATURE,
                    "the kernel cannot load kprobe-multi programs (" + r.errnoName() + "; they need Linux 5.18+)",
                    r);
        }
        probes.ownObject(object);
        object.programIds().forEach(probes::addProgramId);
        List<Runnable> jobs = new ArrayList<>();
        plan.byPosition().forEach((position, targets) -> jobs.add(() -> attachAll(object, position, targets, probes)));
        ParallelAttach.run(jobs, threads, probes);
    }

    private static void attachAll(
            ProbeLoader.ProbeObject object, int position, List<AttachPlan.Target> targets, FunctionProbes probes) {
        probes.checkContinue();
        try {
            probes.ownLink(
                    object.attachKprobeMulti(position, targets),
                    targets.stream().map(AttachPlan.Target::name).toList());
        } catch (KernelRefusal r) {
            if (r.refusesBackend()) {
                throw new TracerException(
                        TracerException.Reason.KERNEL_FEATURE,
                        "the kernel has no kprobe-multi (" + r.errnoName() + " when attaching; it needs CONFIG_FPROBE)",
                        r);
            }
            if (targets.size() == 1) {
                FunctionAttach.refused(probes, targets.getFirst(), r);
                return;
            }
            int half = targets.size() / 2;
            attachAll(object, position, targets.subList(0, half), probes);
            attachAll(object, position, targets.subList(half, targets.size()), probes);
        }
    }
}
