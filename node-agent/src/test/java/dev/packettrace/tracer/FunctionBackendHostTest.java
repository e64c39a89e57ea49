// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packettrace.cli.CliContext;
import dev.packettrace.cli.NetnsResolver;
import dev.packettrace.cli.PacketTraceCli;
import dev.packettrace.output.ClockOffset;
import dev.packettrace.testing.Bpftool;
import dev.packettrace.testing.Eventually;
import dev.packettrace.testing.KernelConfig;
import dev.packettrace.testing.Privileged;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The function-level backends on the machine the suite runs on: a kernel without kprobes, kprobe-multi or
 * trampolines (the CI hosts). AUTO must settle on the tracepoints and say why; asking for a function-level
 * backend explicitly must fail with a message naming what the kernel lacks; and none of it may leave a
 * program behind. Where the kernel does have kprobes, the expectations follow its configuration instead.
 */
@Tag("privileged")
class FunctionBackendHostTest {

    private static final Duration KERNEL_FREE_DEADLINE = Duration.ofSeconds(10);
    private static final TraceFilter QUIET = TraceFilter.all().withNetns(Set.of(1L)); // matches nothing

    @BeforeEach
    void root() {
        Privileged.requireRoot();
    }

    @Test
    void featureDetectionAgreesWithTheKernelsOwnConfiguration() {
        KernelFeatures features = features();
        assertEquals(KernelConfig.enabled("CONFIG_KPROBE_EVENTS"), features.kprobes(), features.kprobesEvidence());
        assertEquals(KernelConfig.enabled("CONFIG_FPROBE"), features.kprobeMulti(), "kprobe-multi from BTF");
    }

    private static KernelFeatures features() {
        try (var kernel = dev.packettrace.bindings.Btf.loadVmlinux()) {
            return KernelFeatures.detect(kernel);
        }
    }

    @Test
    void autoPicksTheTracepointsHereAndSaysWhyEachFunctionBackendWasNotUsed() {
        KernelFeatures features = features();
        try (TracerSession session = TracerSession.start(TracerConfig.of(QUIET), e -> {}, AddressSymbolizer.none())) {
            if (features.kprobes()) {
                assertTrue(
                        session.backend().probesFunctions(),
                        "a kernel with kprobes gets a function-level backend: " + session.backendReason());
                return;
            }
            assertEquals(Backend.TRACEPOINT, session.backend());
            String why = session.backendReason();
            assertTrue(why.startsWith("auto: no function-level backend works on this kernel"), why);
            assertTrue(
                    why.contains("kprobe-multi: ")
                            && why.contains("kprobe: the kernel lacks kprobes")
                            && why.contains("fentry: "),
                    why);
            if (!KernelConfig.enabled("CONFIG_FPROBE")) {
                assertTrue(why.contains("no kprobe-multi"), why);
            }
            assertTrue(
                    why.indexOf("kprobe-multi: ") < why.indexOf("kprobe: ")
                            && why.indexOf("kprobe: ") < why.indexOf("fentry: "),
                    "tried in order: " + why);
            assertTrue(
                    session.attachedProbes().contains("skb:kfree_skb"),
                    session.attachedProbes().toString());
            assertTrue(
                    session.attachedProbes().stream().allMatch(p -> p.contains(":")),
                    "tracepoints only: " + session.attachedProbes());
        }
        assertNoFunctionProgramsLoaded();
    }

    @Test
    void explicitKprobeFailsNamingTheMissingKprobes() {
        KernelFeatures features = features();
        assertFalse(
                features.kprobes(),
                "this test is about a kernel without kprobes, such as the CI hosts': " + features.kprobesEvidence());
        TracerException e = assertThrows(
                TracerException.class,
                () -> TracerSession.start(
                        TracerConfig.of(QUIET).withBackend(Backend.KPROBE), ev -> {}, AddressSymbolizer.none()));
        assertEquals(TracerException.Reason.KERNEL_FEATURE, e.reason());
        assertTrue(
                e.getMessage().startsWith("cannot trace with --backend kprobe: the kernel lacks kprobes"),
                e.getMessage());
        assertTrue(e.getMessage().contains("CONFIG_KPROBES"), e.getMessage());
        assertNoFunctionProgramsLoaded();
    }

    @Test
    void explicitKprobeMultiAndFentryFailWithTheKernelsAnswer() {
        TracerException multi = assertThrows(
                TracerException.class,
                () -> TracerSession.start(
                        TracerConfig.of(QUIET).withBackend(Backend.KPROBE_MULTI), ev -> {}, AddressSymbolizer.none()));
        assertTrue(
                multi.getMessage()
                        .startsWith("cannot trace with --backend kprobe-multi: the kernel has no kprobe-multi ("),
                multi.getMessage());
        assertTrue(multi.getMessage().contains("CONFIG_FPROBE"), multi.getMessage());
        TracerException fentry = assertThrows(
                TracerException.class,
                () -> TracerSession.start(
                        TracerConfig.of(QUIET).withBackend(Backend.FENTRY), ev -> {}, AddressSymbolizer.none()));
        assertTrue(
                fentry.getMessage()
                        .startsWith("cannot trace with --backend fentry: the kernel refuses BPF trampolines ("),
                fentry.getMessage());
        assertNoFunctionProgramsLoaded();
    }

    @Test
    void theCliExitsWithOneAndSaysTheKernelLacksKprobes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CliContext context = new CliContext(
                out,
                new PrintStream(err, true, StandardCharsets.UTF_8),
                TracerFactory.kernel(),
                System::nanoTime,
                ClockOffset::measure,
                new NetnsResolver(),
                false);

        int exit = PacketTraceCli.execute(context, "trace", "--backend", "kprobe", "--duration", "1s");

        String stderr = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, exit, stderr);
        assertTrue(stderr.startsWith("cannot trace with --backend kprobe: the kernel lacks kprobes"), stderr);
        assertFalse(stderr.contains("\tat "), "no stack trace: " + stderr);
        assertEquals("", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theVerifierOfThisKernelAcceptsTheKprobePrograms() {
        // kprobe programs load where kprobes cannot attach: this checks the programs, not the backend
        byte[] config = ConfigEncoder.encode(QUIET, true, true, List.of());
        try (TracepointProbes tracepoints =
                TracepointProbes.open(TracerSession.readObject(TracerSession.OBJECT_RESOURCE))) {
            try (var kernel = dev.packettrace.bindings.Btf.loadVmlinux()) {
                tracepoints.load(TracepointCatalog.discover(tracepoints.programNames(), kernel), config, 1 << 16);
            }
            FunctionObjects objects = new FunctionObjects(
                    TracerSession.readObject(FunctionObjects.OBJECT_RESOURCE), tracepoints.object(), config);
            Set<String> programs = Set.of(
                    "ptk_skb1",
                    "ptk_skb2",
                    "ptk_skb3",
                    "ptk_skb4",
                    "ptk_skb5",
                    "ptm_skb1",
                    "ptm_skb2",
                    "ptm_skb3",
                    "ptm_skb4",
                    "ptm_skb5");
            List<Integer> ids;
            try (ProbeLoader.ProbeObject loaded = objects.load(programs)) {
                ids = loaded.programIds();
                assertEquals(programs.size(), ids.size());
                ids.forEach(id -> assertTrue(Bpftool.programLoaded(id), "program " + id + " verified and loaded"));
            }
            Eventually.await(
                    KERNEL_FREE_DEADLINE,
                    () -> ids.stream().noneMatch(Bpftool::programLoaded),
                    () -> "programs still loaded after close: " + ids);
        }
    }

    private static void assertNoFunctionProgramsLoaded() {
        Eventually.await(
                KERNEL_FREE_DEADLINE,
                () -> Bpftool.programsNamed("pt[kmf]_").isEmpty(),
                () -> "function programs left loaded: " + Bpftool.programsNamed("pt[kmf]_"));
    }
}
