package dev.packettrace.bindings;

import java.lang.foreign.MemorySegment;

/** Turns libbpf's error conventions into LibbpfException, carrying what libbpf logged. */
final class Calls {

    private Calls() {
    }

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

    /** Native calls declare Throwable; the ones used here throw nothing checked. */
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
