// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import dev.packettrace.bindings.Errno;
import dev.packettrace.bindings.LibbpfException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kernel (or libbpf) refused to load or attach a function probe. The attach logic decides from the
 * errno whether that is about one function (skip it) or about the backend (fall back to another).
 */
final class KernelRefusal extends RuntimeException {

    /** libbpf names the program whose load failed: "prog 'ptf_slot7': BPF program load failed: ..." */
    private static final Pattern FAILED_PROGRAM =
            Pattern.compile("prog '([A-Za-z0-9_]+)': (?:BPF program load failed|failed to load)");

    private final int errno;
    private final List<String> log;

    KernelRefusal(String operation, int errno, List<String> log) {
        super(operation + ": " + Errno.name(errno) + " (" + Errno.describe(errno) + ")", null, false, false);
        this.errno = errno;
        this.log = List.copyOf(log);
    }

    static KernelRefusal of(LibbpfException e) {
        return new KernelRefusal(e.operation(), e.errno(), e.libbpfLog());
    }

    int errno() {
        return errno;
    }

    String errnoName() {
        return Errno.name(errno);
    }

    List<String> log() {
        return log;
    }

    /**
     * True for answers that concern the mechanism rather than one function: not supported by this kernel
     * (EOPNOTSUPP, ENOTSUPP) or not permitted at all (EPERM; the session already runs with the privileges
     * tracepoints need, so this is a kernel policy such as lockdown).
     */
    boolean refusesBackend() {
        return errno == Errno.ENOTSUP || errno == Errno.ENOTSUPP || errno == Errno.EPERM;
    }

    /** The program libbpf reported as failing to load, when it said. */
    Optional<String> failedProgram() {
        for (String line : log) {
            Matcher m = FAILED_PROGRAM.matcher(line);
            if (m.find()) {
                return Optional.of(m.group(1));
            }
        }
        return Optional.empty();
    }

    /** The first lines of what libbpf said, for an error message (a verifier log can be long). */
    String logExcerpt(int lines) {
        return String.join("\n", log.subList(0, Math.min(lines, log.size())));
    }
}
