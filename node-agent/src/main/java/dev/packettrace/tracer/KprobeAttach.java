// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** kprobe: one link per function, batches attached on several threads; refused functions are skipped. */
final class KprobeAttach {

    private KprobeAttach() {}

    static void attach(AttachPlan.Kprobe plan, ProbeLoader loader, FunctionProbes probes, int threads) {
        probes.checkContinue();
        Set<String> programs =
                plan.targets().stream().map(AttachPlan.Kprobe::program).collect(Collectors.toSet());
        ProbeLoader.ProbeObject object;
        try {
            object = loader.load(programs);
        } catch (KernelRefusal r) {
            throw new TracerException(
                    TracerException.Reason.KERNEL_FEATURE,
                    "the kernel cannot load kprobe programs (" + r.errnoName() + ")",
                    r);
        }
        probes.ownObject(object);
        object.programIds().forEach(probes::addProgramId);
        List<Runnable> jobs = new ArrayList<>();
        for (List<AttachPlan.Target> batch : plan.batches()) {
            jobs.add(() -> {
                for (AttachPlan.Target target : batch) {
                    probes.checkContinue();
                    try {
                        probes.ownLink(
                                object.attachKprobe(target.function().skbParam(), target), List.of(target.name()));
                    } catch (KernelRefusal r) {
                        FunctionAttach.refused(probes, target, r);
                    }
                }
            });
        }
        ParallelAttach.run(jobs, threads, probes);
    }
}
