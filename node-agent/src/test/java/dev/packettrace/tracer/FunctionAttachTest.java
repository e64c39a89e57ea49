// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packettrace.bindings.Errno;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The attach logic of the function-level backends against a kernel that refuses on command: what is
 * skipped and counted, when a backend is given up, and that nothing stays attached when it fails or is
 * stopped midway, whatever thread was attaching what at the time.
 */
class FunctionAttachTest {

    private static final int THREADS = 4;
    private final FakeKernel kernel = new FakeKernel();

    @AfterEach
    void nothingClosedTwice() {
        assertEquals(0, kernel.doubleCloses.get(), "a link or object closed twice");
    }

    @Test
    void kprobeSkipsAndCountsRefusedFunctionsAndClosesEverythingItAttached() {
        FunctionCatalog catalog = AttachPlanTest.catalog(200);
        kernel.refuseAttach.putAll(FakeKernel.refuse(
                "fn_0003", "" + Errno.ENOENT, "fn_0100", "" + Errno.EINVAL, "fn_0199", "" + Errno.ENOENT));
        Recorder monitor = new Recorder();

        FunctionProbes probes = FunctionAttach.attach(AttachPlan.of(Backend.KPROBE, catalog), kernel, monitor, THREADS);

        assertEquals(197, probes.attachedCount());
        assertEquals(Map.of("fn_0003", "ENOENT", "fn_0100", "EINVAL", "fn_0199", "ENOENT"), probes.ignored());
        assertEquals(197, kernel.openLinks.get());
        assertEquals(1, kernel.openObjects.get(), "one object serves every kprobe");
        assertEquals(200, monitor.lastDone.get(), "progress reached every function");
        assertEquals(3, monitor.lastIgnored.get());
        assertTrue(monitor.monotonic.get(), "progress never went backwards");

        probes.close();
        assertEquals(0, kernel.openLinks.get());
        assertEquals(0, kernel.openObjects.get());
    }

    @Test
    void kprobeGivesUpWhenTheKernelRefusesEverythingAndLeavesNothingBehind() {
        FunctionCatalog catalog = AttachPlanTest.catalog(500);
        catalog.functions().forEach(f -> kernel.refuseAttach.put(f.name(), Errno.EINVAL));

        TracerException e = assertThrows(
                TracerException.class,
                () -> FunctionAttach.attach(
                        AttachPlan.of(Backend.KPROBE, catalog), kernel, AttachMonitor.none(), THREADS));

        assertEquals(TracerException.Reason.ATTACH, e.reason());
        assertTrue(
                e.getMessage().contains("refused the first") && e.getMessage().contains("accepted none"),
                e.getMessage());
        assertTrue(kernel.attachCalls.get() < 100, "stopped early, not after all 500: " + kernel.attachCalls.get());
        assertEquals(0, kernel.openLinks.get());
        assertEquals(0, kernel.openObjects.get());
    }

    @Test
    void kprobeMultiUsesOneLinkPerPositionAndIsolatesARefusedFunctionByHalving() {
        FunctionCatalog catalog = AttachPlanTest.catalog(200);
        kernel.refuseAttach.put("fn_0042", Errno.EINVAL); // position 1 (42 % 7 = 0)

        FunctionProbes probes = FunctionAttach.attach(
                AttachPlan.of(Backend.KPROBE_MULTI, catalog), kernel, AttachMonitor.none(), THREADS);

        assertEquals(199, probes.attachedCount());
        assertEquals(Map.of("fn_0042", "EINVAL"), probes.ignored());
        long position1Functions =
                catalog.functions().stream().filter(f -> f.skbParam() == 1).count();
        Map<String, Integer> positions = catalog.functions().stream()
                .collect(java.util.stream.Collectors.toMap(SkbFunction::name, SkbFunction::skbParam));
        List<List<String>> position1Links = kernel.multiLinks.stream()
                .filter(l -> positions.get(l.getFirst()) == 1)
                .toList();
        assertEquals(
                position1Functions - 1,
                position1Links.stream().mapToInt(List::size).sum());
        assertTrue(
                position1Links.size() <= 2 * Math.ceil(Math.log(position1Functions) / Math.log(2)),
                "halving needs O(log n) links, not one per function: " + position1Links.size());
        assertEquals(4 + position1Links.size(), kernel.multiLinks.size(), "positions 2..5 attach with one link each");
        probes.close();
        assertEquals(0, kernel.openLinks.get() + kernel.openObjects.get());
    }

    @Test
    void kprobeMultiOnAKernelWithoutFprobeFailsTheBackendAndUnloadsItsPrograms() {
        kernel.refuseEveryMulti = Errno.ENOTSUP;
        TracerException e = assertThrows(
                TracerException.class,
                () -> FunctionAttach.attach(
                        AttachPlan.of(Backend.KPROBE_MULTI, AttachPlanTest.catalog(50)),
                        kernel,
                        AttachMonitor.none(),
                        THREADS));
        assertEquals(TracerException.Reason.KERNEL_FEATURE, e.reason());
        assertTrue(
                e.getMessage().contains("no kprobe-multi")
                        && e.getMessage().contains("EOPNOTSUPP")
                        && e.getMessage().contains("CONFIG_FPROBE"),
                e.getMessage());
        assertEquals(0, kernel.openLinks.get() + kernel.openObjects.get());
    }

    @Test
    void fentryReloadsAnObjectWithoutTheFunctionTheVerifierRejected() {
        FunctionCatalog catalog = AttachPlanTest.catalog(150);
        kernel.refuseFentryLoad.put("fn_0010", Errno.EINVAL); // object 0, slot 10
        kernel.refuseFentryLoad.put("fn_0070", Errno.EACCES); // object 1, slot 6
        kernel.refuseAttach.put("fn_0140", Errno.ENOTSUPP); // object 2: loads, then attach refused

        FunctionProbes probes =
                FunctionAttach.attach(AttachPlan.of(Backend.FENTRY, catalog), kernel, AttachMonitor.none(), THREADS);

        assertEquals(147, probes.attachedCount());
        assertEquals(Map.of("fn_0010", "EINVAL", "fn_0070", "EACCES", "fn_0140", "ENOTSUPP"), probes.ignored());
        assertEquals(3, kernel.openObjects.get(), "one loaded copy per 64 functions");
        assertEquals(5, kernel.loads.get(), "two objects needed a second load");
        assertEquals(63 + 63 + 22, probes.programIds().size(), "one program per function in the loaded copies");
        probes.close();
        assertEquals(0, kernel.openLinks.get() + kernel.openObjects.get());
    }

    @Test
    void fentryOnAKernelThatRefusesTrampolinesFailsTheBackend() {
        kernel.refuseEveryLoad = Errno.EPERM;
        TracerException e = assertThrows(
                TracerException.class,
                () -> FunctionAttach.attach(
                        AttachPlan.of(Backend.FENTRY, AttachPlanTest.catalog(300)),
                        kernel,
                        AttachMonitor.none(),
                        THREADS));
        assertEquals(TracerException.Reason.KERNEL_FEATURE, e.reason());
        assertTrue(e.getMessage().contains("refuses BPF trampolines (EPERM"), e.getMessage());
        assertTrue(
                kernel.loads.get() <= THREADS,
                "no retry per function when the mechanism is refused: " + kernel.loads.get());
        assertEquals(0, kernel.openLinks.get() + kernel.openObjects.get());
    }

    @Test
    void cancellingMidwayDetachesEverythingIncludingAttachesThatWereInFlight() throws Exception {
        FunctionCatalog catalog = AttachPlanTest.catalog(1000);
        AtomicBoolean cancel = new AtomicBoolean();
        CountDownLatch inFlight = new CountDownLatch(1);
        CountDownLatch cancelled = new CountDownLatch(1);
        // the attach of fn_0300 is still inside the kernel when the cancel comes, and completes after it
        kernel.duringAttach = name -> {
            if (name.equals("fn_0300")) {
                inFlight.countDown();
                await(cancelled);
            }
        };
        AttachMonitor monitor = new AttachMonitor() {
            @Override
            public void progress(Backend backend, int done, int ignored, int total) {}

            @Override
            public boolean cancelled() {
                return cancel.get();
            }
        };
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread attaching = Thread.ofPlatform().start(() -> {
            try {
                FunctionAttach.attach(AttachPlan.of(Backend.KPROBE, catalog), kernel, monitor, THREADS);
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        assertTrue(inFlight.await(10, TimeUnit.SECONDS), "the attach of fn_0300 started");
        assertTrue(kernel.openLinks.get() > 0, "links were attached before the cancel");
        cancel.set(true);
        cancelled.countDown();
        attaching.join(TimeUnit.SECONDS.toMillis(10));

        TracerException e = (TracerException) thrown.get();
        assertEquals(TracerException.Reason.CANCELLED, e.reason());
        assertTrue(kernel.attachCalls.get() < 1000, "stopped before the end: " + kernel.attachCalls.get());
        assertEquals(0, kernel.openLinks.get(), "the in-flight link was detached too");
        assertEquals(0, kernel.openObjects.get());
    }

    @Test
    void interruptingTheAttachingThreadDetachesEverything() throws Exception {
        FunctionCatalog catalog = AttachPlanTest.catalog(1000);
        CountDownLatch midway = new CountDownLatch(1);
        AtomicReference<Thread> attaching = new AtomicReference<>();
        kernel.duringAttach = name -> {
            if (name.equals("fn_0400")) {
                attaching.get().interrupt();
                midway.countDown();
            }
        };
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t = Thread.ofPlatform().unstarted(() -> {
            try {
                FunctionAttach.attach(AttachPlan.of(Backend.KPROBE, catalog), kernel, AttachMonitor.none(), THREADS);
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        attaching.set(t);
        t.start();
        assertTrue(midway.await(10, TimeUnit.SECONDS));
        t.join(TimeUnit.SECONDS.toMillis(10));
        assertEquals(TracerException.Reason.CANCELLED, ((TracerException) thrown.get()).reason());
        assertEquals(0, kernel.openLinks.get() + kernel.openObjects.get());
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Remembers the last progress report and whether reports only ever grew. */
    private static final class Recorder implements AttachMonitor {
        final AtomicInteger lastDone = new AtomicInteger();
        final AtomicInteger lastIgnored = new AtomicInteger();
        final AtomicBoolean monotonic = new AtomicBoolean(true);
        final List<Integer> totals = new ArrayList<>();

        @Override
        public synchronized void progress(Backend backend, int done, int ignored, int total) {
            if (done < lastDone.get()) {
                monotonic.set(false);
            }
            lastDone.set(done);
            lastIgnored.set(ignored);
            totals.add(total);
        }

        @Override
        public boolean cancelled() {
            return false;
        }
    }
}
