// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.bindings;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.function.Consumer;

/** Turns libbpf's error conventions into LibbpfException, carrying what libbpf logged. */
final class Calls {

    private Calls() {}

    /** For int-returning libbpf calls, which return -errno on failure. */
    static int check(String operation, int rc) {
        if (rc < 0) {
            throw failure(operation, -rc);
        }
        return rc;
    }

    /** For pointer-returning calls: NULL means failure, errno is in the capture segment. */
    static MemorySegment checkPointer(String operation, MemorySegment pointer, MemorySegment capture) {
        if (Native.isNull(pointer)) {
            int errno = Native.capturedErrno(capture);
            throw failure(operation, errno == 0 ? Errno.EINVAL : errno);
        }
        return pointer;
    }

    static LibbpfException failure(String operation, int errno) {
        return new LibbpfException(operation, errno, LibbpfLog.captured());
    }

    /**
     * Calls a libbpf destructor ({@code void f(handle)}), then closes the arena that held the object's
     * Java-side native memory, even when the destructor failed.
     */
    static void destroy(Consumer<MemorySegment> destructor, MemorySegment handle, Arena arena) {
        try {
            destructor.accept(handle);
        } finally {
            arena.close();
        }
    }

    /**
     * Native calls declare Throwable; the ones used here throw nothing checked. Used by Native's typed
     * methods only, so that callers see unchecked exceptions.
     */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("native call failed", t);
    }
}
