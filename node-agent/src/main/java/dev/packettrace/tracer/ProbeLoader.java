// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import java.util.List;
import java.util.Set;

/**
 * The kernel side of the function-level backends: loading copies of bpf/skb_functions.bpf.c and attaching
 * their programs. {@link FunctionObjects} does it with libbpf; the attach logic sees only this, so that its
 * planning, skipping and cleanup can be tested without a kernel that has kprobes.
 */
interface ProbeLoader {

    /**
     * Opens and loads a copy of the object with only the named programs enabled.
     *
     * @throws KernelRefusal when the kernel refuses to load them
     */
    ProbeObject load(Set<String> programs);

    /**
     * Opens a copy of the object, binds fentry slot i to {@code slots.get(i)} and loads it.
     *
     * @throws KernelRefusal when the kernel refuses; {@link KernelRefusal#failedProgram} names the slot
     *                       when one program was the problem
     */
    ProbeObject loadFentry(List<AttachPlan.Target> slots);

    /** One loaded copy of the object. Closing it unloads its programs; close its links first. */
    interface ProbeObject extends AutoCloseable {

        /** Attaches kprobe program ptk_skb&lt;position&gt; to one function. @throws KernelRefusal */
        AutoCloseable attachKprobe(int position, AttachPlan.Target target);

        /** Attaches kprobe-multi program ptm_skb&lt;position&gt; to all targets with one link. @throws KernelRefusal */
        AutoCloseable attachKprobeMulti(int position, List<AttachPlan.Target> targets);

        /** Attaches fentry slot program ptf_slot&lt;slot&gt; to the function it was bound to. @throws KernelRefusal */
        AutoCloseable attachFentry(int slot, AttachPlan.Target target);

        /** Kernel ids of the loaded programs. */
        List<Integer> programIds();

        @Override
        void close();
    }
}
