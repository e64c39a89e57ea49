// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import dev.packettrace.bindings.Btf;
import dev.packettrace.bindings.BtfKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What the running kernel offers the function-level backends, as far as it can be told without loading
 * anything. Finding out by trying works too, but costs a verifier run first: on slow machines (the QEMU lab)
 * seconds to tens of seconds per backend that AUTO would pass over anyway.
 *
 * <ul>
 *   <li>kprobes: libbpf attaches them through the kprobe PMU, or on old kernels through tracefs'
 *       kprobe_events; a kernel without CONFIG_KPROBE_EVENTS has neither.</li>
 *   <li>kprobe-multi: the kernel defines struct bpf_kprobe_multi_link only with CONFIG_FPROBE (5.18+), and
 *       its BTF lists every struct it defines.</li>
 *   <li>trampolines (fentry): a kernel can have them and still refuse them (the CI hosts answer EPERM), so
 *       there is no telling without loading one.</li>
 * </ul>
 *
 * @param kprobes         whether kprobes can be created
 * @param kprobesEvidence what was looked at, for messages
 * @param kprobeMulti     whether the kernel was built with kprobe-multi links
 */
public record KernelFeatures(boolean kprobes, String kprobesEvidence, boolean kprobeMulti) {

    static final Path KPROBE_PMU = Path.of("/sys/bus/event_source/devices/kprobe/type");
    static final List<Path> KPROBE_EVENTS =
            List.of(Path.of("/sys/kernel/tracing/kprobe_events"), Path.of("/sys/kernel/debug/tracing/kprobe_events"));
    static final String KPROBE_MULTI_LINK = "bpf_kprobe_multi_link";

    /** The running kernel, whose BTF is given. */
    public static KernelFeatures detect(Btf kernel) {
        return detect(
                KPROBE_PMU,
                KPROBE_EVENTS,
                kernel.find(KPROBE_MULTI_LINK, BtfKind.STRUCT).isPresent());
    }

    static KernelFeatures detect(Path pmu, List<Path> kprobeEvents, boolean kprobeMulti) {
        if (Files.exists(pmu)) {
            return new KernelFeatures(true, "kprobe PMU at " + pmu.getParent(), kprobeMulti);
        }
        for (Path events : kprobeEvents) {
            if (Files.exists(events)) {
                return new KernelFeatures(true, "tracefs " + events, kprobeMulti);
            }
        }
        return new KernelFeatures(false, "no " + pmu.getParent() + " and no kprobe_events in tracefs", kprobeMulti);
    }

    /** Whether the kernel has the bpf_loop helper (5.17+), which runs the filter expressions (bpf/include/pcap.h). */
    public static boolean bpfLoop(Btf kernel) {
        return kernel.find("bpf_loop", BtfKind.FUNC).isPresent();
    }

    /** The message for a kernel without bpf_loop. */
    public static String bpfLoopMissing() {
        return "filter expressions need the bpf_loop helper, which this kernel lacks (no function bpf_loop in its BTF: "
                + "older than 5.17)";
    }

    /** The message for a kernel without kprobes. */
    public String kprobesMissing() {
        return "the kernel lacks kprobes (" + kprobesEvidence + ": built without CONFIG_KPROBES/CONFIG_KPROBE_EVENTS)";
    }

    /** The message for a kernel without kprobe-multi. */
    public String kprobeMultiMissing() {
        return "the kernel has no kprobe-multi (no struct " + KPROBE_MULTI_LINK
                + " in its BTF: built without CONFIG_FPROBE, or older than 5.18)";
    }
}
