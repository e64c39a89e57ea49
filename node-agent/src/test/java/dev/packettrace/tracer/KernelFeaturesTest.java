// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kprobe detection from sysfs and tracefs, on a synthetic tree (the real one is checked in FunctionBackendHostTest). */
class KernelFeaturesTest {

    @Test
    void theKprobePmuMeansKprobes(@TempDir Path root) throws IOException {
        Path pmu = root.resolve("bus/event_source/devices/kprobe/type");
        Files.createDirectories(pmu.getParent());
        Files.writeString(pmu, "6\n");
        KernelFeatures f = KernelFeatures.detect(pmu, List.of(root.resolve("tracing/kprobe_events")), false);
        assertTrue(f.kprobes());
        assertTrue(f.kprobesEvidence().contains("kprobe PMU"), f.kprobesEvidence());
    }

    @Test
    void tracefsKprobeEventsAloneAlsoMeanKprobes(@TempDir Path root) throws IOException {
        Path events = root.resolve("debug/tracing/kprobe_events");
        Files.createDirectories(events.getParent());
        Files.writeString(events, "");
        KernelFeatures f = KernelFeatures.detect(
                root.resolve("devices/kprobe/type"), List.of(root.resolve("tracing/kprobe_events"), events), false);
        assertTrue(f.kprobes());
        assertTrue(f.kprobesEvidence().contains(events.toString()), f.kprobesEvidence());
    }

    @Test
    void neitherMeansNoKprobesAndTheMessageSaysWhatWasLookedAt(@TempDir Path root) {
        KernelFeatures f = KernelFeatures.detect(
                root.resolve("devices/kprobe/type"), List.of(root.resolve("tracing/kprobe_events")), false);
        assertFalse(f.kprobes());
        assertTrue(
                f.kprobesMissing().startsWith("the kernel lacks kprobes (no " + root.resolve("devices/kprobe")),
                f.kprobesMissing());
        assertTrue(f.kprobesMissing().contains("CONFIG_KPROBE_EVENTS"), f.kprobesMissing());
    }
}
