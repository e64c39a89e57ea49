// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.bindings;

/** Facts about the running system as libbpf sees them. */
public final class Kernel {

    private Kernel() {}

    /** CPUs the kernel may ever bring up: the number of slots in a per-CPU map value. */
    public static int possibleCpus() {
        return Calls.check("libbpf_num_possible_cpus", Native.numPossibleCpus());
    }
}
