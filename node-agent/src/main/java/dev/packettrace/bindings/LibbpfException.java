// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.bindings;

import java.util.List;

/**
 * A libbpf or kernel call failed. Carries the call, the errno and what libbpf logged while it ran
 * (for a program the verifier rejected, that is the verifier log).
 */
public final class LibbpfException extends RuntimeException {

    private final String operation;
    private final int errno;
    private final List<String> libbpfLog;

    LibbpfException(String operation, int errno, List<String> libbpfLog) {
        super(message(operation, errno, libbpfLog));
        this.operation = operation;
        this.errno = errno;
        this.libbpfLog = List.copyOf(libbpfLog);
    }

    /** The failed call with its subject, e.g. "bpf_object__load(skb_tracepoints)". */
    public String operation() {
        return operation;
    }

    /** The positive errno value (EPERM = 1, EACCES = 13, EINVAL = 22, ...). */
    public int errno() {
        return errno;
    }

    public String errnoName() {
        return Errno.name(errno);
    }

    /** libbpf's own messages from this call, oldest first. */
    public List<String> libbpfLog() {
        return libbpfLog;
    }

    private static String message(String operation, int errno, List<String> log) {
        StringBuilder b = new StringBuilder(operation)
                .append(" failed: ")
                .append(Errno.name(errno))
                .append(" (")
                .append(Errno.describe(errno))
                .append(')');
        if (!log.isEmpty()) {
            b.append("; libbpf said:");
            log.forEach(line -> b.append("\n  ").append(line));
        }
        return b.toString();
    }
}
