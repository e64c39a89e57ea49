// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import java.util.Comparator;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Carries out an {@link AttachPlan}: loads the programs, attaches them, skips and counts the functions the
 * kernel refuses, and fails (leaving nothing attached) when the backend itself does not work here.
 */
final class FunctionAttach {

    /**
     * After this many refusals without a single success the backend is taken as not working here, rather
     * than trying every remaining function only to be refused again.
     */
    static final int GIVE_UP_AFTER_REFUSALS = 32;

    private FunctionAttach() {}

    /**
     * @return the attached probes, owned by the caller
     * @throws TracerException when the backend cannot serve this kernel (everything it attached is detached
     *                         again) or when the monitor cancelled
     */
    static FunctionProbes attach(AttachPlan plan, ProbeLoader loader, AttachMonitor monitor, int threads) {
        FunctionProbes probes =
                new FunctionProbes(plan.backend(), monitor, plan.targets().size());
        try {
            switch (plan) {
                case AttachPlan.KprobeMulti p -> KprobeMultiAttach.attach(p, loader, probes, threads);
                case AttachPlan.Kprobe p -> KprobeAttach.attach(p, loader, probes, threads);
                case AttachPlan.Fentry p -> FentryAttach.attach(p, loader, probes, threads);
            }
            if (probes.attachedCount() == 0) {
                throw new TracerException(
                        TracerException.Reason.ATTACH,
                        "the kernel refused all " + probes.total() + " functions (" + mostCommonRefusal(probes) + ")");
            }
            return probes;
        } catch (RuntimeException | Error e) {
            try {
                probes.close();
            } catch (RuntimeException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    /** Records a refused function; fails the backend when nothing has worked after many refusals. */
    static void refused(FunctionProbes probes, AttachPlan.Target target, KernelRefusal refusal) {
        probes.ignore(target.name(), refusal.errnoName());
        if (probes.attachedCount() == 0 && probes.ignoredCount() >= GIVE_UP_AFTER_REFUSALS) {
            throw new TracerException(
                    TracerException.Reason.ATTACH,
                    "the kernel refused the first " + probes.ignoredCount() + " functions and accepted none ("
                            + mostCommonRefusal(probes) + ")");
        }
    }

    /** "ENOENT for 30 functions, e.g. foo" */
    static String mostCommonRefusal(FunctionProbes probes) {
        Map<String, String> ignored = probes.ignored();
        if (ignored.isEmpty()) {
            return "no function was tried";
        }
        Map<String, Long> byErrno =
                ignored.values().stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        Map.Entry<String, Long> top = byErrno.entrySet().stream()
                .max(Comparator.comparingLong(Map.Entry::getValue))
                .orElseThrow();
        String example = ignored.entrySet().stream()
                .filter(e -> e.getValue().equals(top.getKey()))
                .findFirst()
                .orElseThrow()
                .getKey();
        return top.getKey() + " for " + top.getValue() + (top.getValue() == 1 ? " function" : " functions") + ", e.g. "
                + example;
    }
}
