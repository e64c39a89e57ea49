// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** AUTO's order and fallback, and what an explicit request does when its backend fails. */
class BackendSelectorTest {

    private final List<Backend> tried = new ArrayList<>();

    private BackendSelector.Attacher attacher(Map<Backend, TracerException> failures) {
        return backend -> {
            tried.add(backend);
            TracerException e = failures.get(backend);
            if (e != null) {
                throw e;
            }
            return new FunctionProbes(backend, AttachMonitor.none(), 1);
        };
    }

    private static TracerException feature(String message) {
        return new TracerException(TracerException.Reason.KERNEL_FEATURE, message);
    }

    @Test
    void autoTakesTheFirstBackendThatAttachesAndSaysWhatItSkipped() {
        BackendSelector.Selection s = BackendSelector.select(
                Backend.AUTO,
                attacher(Map.of(Backend.KPROBE_MULTI, feature("the kernel has no kprobe-multi (EOPNOTSUPP)"))));
        assertEquals(List.of(Backend.KPROBE_MULTI, Backend.KPROBE), tried, "fentry is not tried once kprobe works");
        assertEquals(Backend.KPROBE, s.choice().backend());
        assertEquals(
                "auto: the best backend this kernel supports; kprobe-multi: the kernel has no kprobe-multi (EOPNOTSUPP)",
                s.choice().reason());
        assertTrue(s.functions().isPresent());
    }

    @Test
    void autoFallsBackToTheTracepointsListingEveryReasonInOrder() {
        BackendSelector.Selection s = BackendSelector.select(
                Backend.AUTO,
                attacher(Map.of(
                        Backend.KPROBE_MULTI, feature("no kprobe-multi"),
                        Backend.KPROBE, feature("the kernel lacks kprobes"),
                        Backend.FENTRY,
                                new TracerException(
                                        TracerException.Reason.ATTACH, "the kernel refused all 3 functions"))));
        assertEquals(BackendChoice.AUTO_ORDER, tried);
        assertEquals(Backend.TRACEPOINT, s.choice().backend());
        assertEquals(
                "auto: no function-level backend works on this kernel; kprobe-multi: no kprobe-multi; "
                        + "kprobe: the kernel lacks kprobes; fentry: the kernel refused all 3 functions",
                s.choice().reason());
        assertTrue(s.functions().isEmpty());
    }

    @Test
    void aCancelledAttachIsNotFallenBackFrom() {
        TracerException cancelled = new TracerException(TracerException.Reason.CANCELLED, "stopped");
        TracerException e = assertThrows(
                TracerException.class,
                () -> BackendSelector.select(Backend.AUTO, attacher(Map.of(Backend.KPROBE_MULTI, cancelled))));
        assertEquals(cancelled, e);
        assertEquals(List.of(Backend.KPROBE_MULTI), tried);
    }

    @Test
    void anExplicitBackendThatFailsFailsTheTraceNamingTheFlag() {
        TracerException e = assertThrows(
                TracerException.class,
                () -> BackendSelector.select(
                        Backend.KPROBE,
                        attacher(Map.of(Backend.KPROBE, feature("the kernel lacks kprobes (no kprobe PMU)")))));
        assertEquals(TracerException.Reason.KERNEL_FEATURE, e.reason());
        assertEquals("cannot trace with --backend kprobe: the kernel lacks kprobes (no kprobe PMU)", e.getMessage());
        assertEquals(List.of(Backend.KPROBE), tried, "no fallback from an explicit choice");
    }

    @Test
    void tracepointsAloneAttachNoFunctions() {
        BackendSelector.Selection s = BackendSelector.select(Backend.TRACEPOINT, attacher(Map.of()));
        assertEquals(List.of(), tried);
        assertEquals(new BackendChoice(Backend.TRACEPOINT, "requested with --backend tracepoint"), s.choice());
        BackendSelector.Selection fentry = BackendSelector.select(Backend.FENTRY, attacher(Map.of()));
        assertEquals("requested with --backend fentry", fentry.choice().reason());
    }
}
