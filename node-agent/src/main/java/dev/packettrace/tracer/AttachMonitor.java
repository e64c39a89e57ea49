// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

/**
 * Watches a session attach its probes, which for function-level backends takes long enough (seconds,
 * thousands of kprobes) that a user wants progress and a way to stop. Called from the attaching threads.
 */
public interface AttachMonitor {

    /**
     * After each function was attached or skipped.
     *
     * @param done    functions attached or skipped so far
     * @param ignored of those, skipped because the kernel refused them
     * @param total   functions the backend tries
     */
    void progress(Backend backend, int done, int ignored, int total);

    /**
     * Polled between attachments. Once true, attaching stops, everything attached so far is detached and
     * {@link TracerSession#start} throws a {@link TracerException} with reason CANCELLED.
     */
    boolean cancelled();

    /** No progress reports, never cancelled. */
    static AttachMonitor none() {
        return new AttachMonitor() {
            @Override
            public void progress(Backend backend, int done, int ignored, int total) {}

            @Override
            public boolean cancelled() {
                return false;
            }
        };
    }
}
