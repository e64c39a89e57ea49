// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.kernel;

/** The Linux capabilities packettrace cares about, with their bit numbers from linux/capability.h. */
public enum Capability {
    CAP_NET_ADMIN(12),
    CAP_SYS_ADMIN(21),
    CAP_SYSLOG(34),
    CAP_PERFMON(38),
    CAP_BPF(39);

    private final int bit;

    Capability(int bit) {
        this.bit = bit;
    }

    public int bit() {
        return bit;
    }
}
