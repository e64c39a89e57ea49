// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import java.util.List;

/**
 * Which backend serves a trace and why.
 *
 * <p>AUTO tries the function-level backends in {@link #AUTO_ORDER} and takes the first that attaches:
 * kprobe-multi first (one link per sk_buff position, attached in well under a second), then kprobe (one
 * link per function, but cheap ones), then fentry. fentry is cheaper per hit than a kprobe but needs one
 * verified program and one trampoline per function, which makes attaching ~1,500 functions far slower and
 * costs kernel memory per function; a trace is a diagnosis, where attach time matters more than the last
 * nanoseconds per packet. When none works, the tracepoints serve alone. The tracepoints run in every case.
 */
record BackendChoice(Backend backend, String reason) {

    static final List<Backend> AUTO_ORDER = List.of(Backend.KPROBE_MULTI, Backend.KPROBE, Backend.FENTRY);

    /** The function-level backends to try, in order; empty when only the tracepoints are wanted. */
    static List<Backend> candidates(Backend requested) {
        return switch (requested) {
            case AUTO -> AUTO_ORDER;
            case TRACEPOINT -> List.of();
            case KPROBE_MULTI, KPROBE, FENTRY -> List.of(requested);
        };
    }

    static BackendChoice requested(Backend backend) {
        return new BackendChoice(backend, "requested with --backend " + backend.flagName());
    }

    /**
     * The outcome of AUTO.
     *
     * @param skipped why each backend tried before the chosen one did not serve, in order, e.g.
     *                "kprobe-multi: the kernel has no kprobe-multi (EOPNOTSUPP ...)"
     */
    static BackendChoice auto(Backend chosen, List<String> skipped) {
        String tried = skipped.isEmpty() ? "" : "; " + String.join("; ", skipped);
        if (chosen == Backend.TRACEPOINT) {
            return new BackendChoice(chosen, "auto: no function-level backend works on this kernel" + tried);
        }
        return new BackendChoice(chosen, "auto: the best backend this kernel supports" + tried);
    }
}
