package dev.packettrace.tracer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What the running kernel offers the function-level backends, as far as it can be told without trying.
 * kprobes can: libbpf attaches them through the kprobe PMU, or on old kernels through tracefs'
 * kprobe_events; a kernel without CONFIG_KPROBE_EVENTS has neither. kprobe-multi and trampolines cannot
 * be told apart from "allowed" without loading or attaching something, so the backends find out by trying.
 *
 * @param kprobes         whether kprobes can be created
 * @param kprobesEvidence what was looked at, for messages
 */
public record KernelFeatures(boolean kprobes, String kprobesEvidence) {

    static final Path KPROBE_PMU = Path.of("/sys/bus/event_source/devices/kprobe/type");
    static final List<Path> KPROBE_EVENTS = List.of(Path.of("/sys/kernel/tracing/kprobe_events"),
            Path.of("/sys/kernel/debug/tracing/kprobe_events"));

    public static KernelFeatures detect() {
        return detect(KPROBE_PMU, KPROBE_EVENTS);
    }

    static KernelFeatures detect(Path pmu, List<Path> kprobeEvents) {
        if (Files.exists(pmu)) {
            return new KernelFeatures(true, "kprobe PMU at " + pmu.getParent());
        }
        for (Path events : kprobeEvents) {
            if (Files.exists(events)) {
                return new KernelFeatures(true, "tracefs " + events);
            }
        }
        return new KernelFeatures(false, "no " + pmu.getParent() + " and no kprobe_events in tracefs");
    }

    /** The message for a kernel without kprobes. */
    public String kprobesMissing() {
        return "the kernel lacks kprobes (" + kprobesEvidence + ": built without CONFIG_KPROBES/CONFIG_KPROBE_EVENTS)";
    }
}
