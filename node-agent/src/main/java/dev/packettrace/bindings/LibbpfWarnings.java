// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.bindings;

import java.util.function.Supplier;

/**
 * libbpf logs a warning for every failed load or attach. Where failing is an expected answer (probing
 * which backend a kernel supports, skipping functions the kernel refuses) and the caller reports it
 * itself, those warnings would only repeat it, once per function; this turns them into debug output for
 * calls made inside {@link #expected}, on the calling thread. The failure still carries what libbpf said.
 */
public final class LibbpfWarnings {

    private LibbpfWarnings() {}

    public static <T> T expected(Supplier<T> call) {
        boolean outer = LibbpfLog.quiet();
        LibbpfLog.quiet(true);
        try {
            return call.get();
        } finally {
            LibbpfLog.quiet(outer);
        }
    }
}
