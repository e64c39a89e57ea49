// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.lab;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A long-running helper (such as a TCP listener) started inside a lab namespace. The lab that started it
 * also closes it; closing it earlier is allowed and closing twice is harmless.
 */
public final class LabProcess implements AutoCloseable {

    private static final Duration TERM_GRACE = Duration.ofSeconds(2);
    private static final Duration KILL_GRACE = Duration.ofSeconds(5);

    private final List<String> command;
    private final Process process;
    private final StreamCapture stderr;

    LabProcess(List<String> command, Process process) {
        this.command = List.copyOf(command);
        this.process = process;
        this.stderr = new StreamCapture(process.getErrorStream(), 16 * 1024, "stderr " + command.getFirst());
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public List<String> command() {
        return command;
    }

    /** What the process has written to stderr so far, for error messages. */
    String stderrSoFar() {
        return stderr.snapshot();
    }

    /** SIGTERM, then SIGKILL if it has not exited after a grace period. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(TERM_GRACE.toNanos(), TimeUnit.NANOSECONDS)) {
                process.destroyForcibly();
                if (!process.waitFor(KILL_GRACE.toNanos(), TimeUnit.NANOSECONDS)) {
                    throw new LabException(
                            "process " + process.pid() + " did not exit after SIGKILL: " + String.join(" ", command));
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new LabException("interrupted while stopping process " + process.pid(), e);
        }
    }
}
