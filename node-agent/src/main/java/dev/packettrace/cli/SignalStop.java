// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.cli;

import dev.packettrace.output.StopReason;
import java.time.Duration;
import java.util.Optional;

/**
 * Makes Ctrl-C and SIGTERM end a run cleanly. The JVM runs shutdown hooks on both; the hook asks the runner to
 * stop and then waits (bounded) until the runner has closed the session, so probes are detached and the summary
 * printed before the JVM exits. The wait is bounded because a hook that never returns would make the process
 * unkillable except by SIGKILL. Closing this removes the hook once the run ended normally.
 */
public final class SignalStop implements AutoCloseable {

    public static final Duration DEFAULT_WAIT = Duration.ofSeconds(5);

    private final Optional<Thread> hook;

    private SignalStop(Optional<Thread> hook) {
        this.hook = hook;
    }

    /** Installs nothing: for runs embedded in tests or in a process that handles signals itself. */
    public static SignalStop disabled() {
        return new SignalStop(Optional.empty());
    }

    public static SignalStop install(TraceRunner runner) {
        return install(runner, DEFAULT_WAIT);
    }

    public static SignalStop install(TraceRunner runner, Duration wait) {
        Thread hook = hookFor(runner, wait);
        Runtime.getRuntime().addShutdownHook(hook);
        return new SignalStop(Optional.of(hook));
    }

    /** The hook's body, unregistered: tests run it directly to play the signal. */
    static Thread hookFor(TraceRunner runner, Duration wait) {
        return new Thread(
                () -> {
                    runner.requestStop(StopReason.SIGNAL);
                    try {
                        if (!runner.awaitFinished(wait)) {
                            System.err.println("packettrace: the trace did not stop within " + wait.toSeconds()
                                    + " s; exiting anyway (the kernel detaches the probes when the process ends)");
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "packettrace-signal-stop");
    }

    @Override
    public void close() {
        try {
            hook.ifPresent(Runtime.getRuntime()::removeShutdownHook);
        } catch (IllegalStateException e) {
            // The JVM is already shutting down, so the hook is running: it must stay.
        }
    }
}
