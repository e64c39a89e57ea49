// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * How the tracer attaches to the kernel. AUTO picks the best one the running kernel supports. The
 * function-level backends probe every kernel function that takes an sk_buff; the tracepoints run next
 * to them in every case, because skb:kfree_skb is where drop reasons come from.
 */
public enum Backend {
    AUTO("auto"),
    TRACEPOINT("tracepoint"),
    /** One link per sk_buff position attaching to all functions at once; CONFIG_FPROBE, 5.18+. */
    KPROBE_MULTI("kprobe-multi"),
    /** One kprobe per function; any kernel with CONFIG_KPROBES and CONFIG_KPROBE_EVENTS. */
    KPROBE("kprobe"),
    /** One BPF trampoline per function: cheaper per hit than a kprobe, slower to attach. */
    FENTRY("fentry");

    private final String flagName;

    Backend(String flagName) {
        this.flagName = flagName;
    }

    public String flagName() {
        return flagName;
    }

    /** True for the backends that probe kernel functions (and so need the function discovery). */
    public boolean probesFunctions() {
        return this == KPROBE_MULTI || this == KPROBE || this == FENTRY;
    }

    public static Optional<Backend> ofName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(b -> b.flagName.equals(n)).findFirst();
    }

    public static String names() {
        return Arrays.stream(values()).map(Backend::flagName).collect(Collectors.joining(", "));
    }
}
