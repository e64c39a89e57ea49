// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

/**
 * The tracer could not start or run. The message says what is wrong and what to do about it; it is
 * meant for the user as is, without a stack trace.
 */
public class TracerException extends RuntimeException {

    /** Why, so that callers can choose an exit code or a status condition. */
    public enum Reason {
        PERMISSION,
        KERNEL_FEATURE,
        VERIFIER,
        ATTACH,
        LIBBPF,
        INPUT,
        /** Stopped on request while attaching; everything attached so far was detached. */
        CANCELLED
    }

    private final Reason reason;

    public TracerException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public TracerException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
