package dev.packettrace.tracer;

/**
 * Which backend serves a trace and why. Only the tracepoint backend exists so far; function-level
 * backends (kprobe-multi, kprobe, fentry) will be tried first by AUTO when they arrive.
 */
record BackendChoice(Backend backend, String reason) {

    static BackendChoice choose(Backend requested) {
        return switch (requested) {
            case TRACEPOINT -> new BackendChoice(Backend.TRACEPOINT, "requested with --backend tracepoint");
            case AUTO -> new BackendChoice(Backend.TRACEPOINT,
                    "auto: tracepoints are the only backend built so far; they need only BTF and raw tracepoints");
        };
    }
}
