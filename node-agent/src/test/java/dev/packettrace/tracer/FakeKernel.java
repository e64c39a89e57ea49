// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import dev.packettrace.bindings.Errno;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A kernel for the attach logic that refuses what it is told to refuse and counts what is open, so that a
 * test can check skipping, fallback and cleanup without kprobes. Thread-safe, like the real one must be.
 */
final class FakeKernel implements ProbeLoader {

    /** Functions whose kprobe (and fentry attach) the kernel refuses, with the errno. */
    final Map<String, Integer> refuseAttach = new ConcurrentHashMap<>();
    /** Functions whose fentry program the verifier rejects at load, with the errno. */
    final Map<String, Integer> refuseFentryLoad = new ConcurrentHashMap<>();
    /** Set to make every load fail (a kernel without the program type or trampolines). */
    volatile int refuseEveryLoad;
    /** Set to make every kprobe-multi attach fail (a kernel without CONFIG_FPROBE). */
    volatile int refuseEveryMulti;
    /** Runs inside each single-function attach, before it succeeds or fails: tests use it to act mid-attach. */
    volatile Consumer<String> duringAttach = name -> {};

    final AtomicInteger openObjects = new AtomicInteger();
    final AtomicInteger openLinks = new AtomicInteger();
    final AtomicInteger loads = new AtomicInteger();
    final AtomicInteger attachCalls = new AtomicInteger();
    final List<List<String>> multiLinks = java.util.Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger doubleCloses = new AtomicInteger();
    private final AtomicInteger nextProgramId = new AtomicInteger(1000);

    @Override
    public ProbeObject load(Set<String> programs) {
        loads.incrementAndGet();
        if (refuseEveryLoad != 0) {
            throw refusal("load", refuseEveryLoad, List.of());
        }
        return new FakeObject(programs.size());
    }

    @Override
    public ProbeObject loadFentry(List<AttachPlan.Target> slots) {
        loads.incrementAndGet();
        if (refuseEveryLoad != 0) {
            throw refusal(
                    "load",
                    refuseEveryLoad,
                    List.of("libbpf: prog 'ptf_slot0': BPF program load failed: " + Errno.describe(refuseEveryLoad)));
        }
        for (int i = 0; i < slots.size(); i++) {
            Integer errno = refuseFentryLoad.get(slots.get(i).name());
            if (errno != null) {
                throw refusal(
                        "load",
                        errno,
                        List.of(
                                "libbpf: prog '" + AttachPlan.Fentry.program(i)
                                        + "': BPF program load failed: Invalid argument",
                                "libbpf: prog '" + AttachPlan.Fentry.program(i) + "': failed to load: -22"));
            }
        }
        return new FakeObject(slots.size());
    }

    private static KernelRefusal refusal(String what, int errno, List<String> log) {
        return new KernelRefusal(what, errno, log);
    }

    private final class FakeObject implements ProbeObject {
        private final int programs;
        private boolean closed;

        FakeObject(int programs) {
            this.programs = programs;
            openObjects.incrementAndGet();
        }

        @Override
        public AutoCloseable attachKprobe(int position, AttachPlan.Target target) {
            return single(target);
        }

        @Override
        public AutoCloseable attachKprobeMulti(int position, List<AttachPlan.Target> targets) {
            attachCalls.incrementAndGet();
            if (refuseEveryMulti != 0) {
                throw refusal("kprobe-multi", refuseEveryMulti, List.of());
            }
            Optional<Integer> bad = targets.stream()
                    .map(t -> refuseAttach.get(t.name()))
                    .filter(e -> e != null)
                    .findFirst();
            if (bad.isPresent()) {
                throw refusal("kprobe-multi", bad.get(), List.of());
            }
            multiLinks.add(targets.stream().map(AttachPlan.Target::name).toList());
            return new FakeLink();
        }

        @Override
        public AutoCloseable attachFentry(int slot, AttachPlan.Target target) {
            return single(target);
        }

        private AutoCloseable single(AttachPlan.Target target) {
            attachCalls.incrementAndGet();
            duringAttach.accept(target.name());
            Integer errno = refuseAttach.get(target.name());
            if (errno != null) {
                throw refusal("attach " + target.name(), errno, List.of());
            }
            return new FakeLink();
        }

        @Override
        public List<Integer> programIds() {
            List<Integer> ids = new ArrayList<>();
            for (int i = 0; i < programs; i++) {
                ids.add(nextProgramId.incrementAndGet());
            }
            return ids;
        }

        @Override
        public synchronized void close() {
            if (closed) {
                doubleCloses.incrementAndGet();
                return;
            }
            closed = true;
            openObjects.decrementAndGet();
        }
    }

    private final class FakeLink implements AutoCloseable {
        private boolean closed;

        FakeLink() {
            openLinks.incrementAndGet();
        }

        @Override
        public synchronized void close() {
            if (closed) {
                doubleCloses.incrementAndGet();
                return;
            }
            closed = true;
            openLinks.decrementAndGet();
        }
    }

    static Map<String, Integer> refuse(String... functionsAndErrnos) {
        Map<String, Integer> m = new HashMap<>();
        for (int i = 0; i < functionsAndErrnos.length; i += 2) {
            m.put(functionsAndErrnos[i], Integer.parseInt(functionsAndErrnos[i + 1]));
        }
        return m;
    }
}
