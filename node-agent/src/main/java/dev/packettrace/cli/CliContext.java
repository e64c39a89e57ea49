// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.cli;

import dev.packettrace.output.ClockOffset;
import dev.packettrace.tracer.TracerFactory;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What commands get from their surroundings, so that tests can run the whole CLI in-process with captured
 * streams, a scripted tracer and a fake clock. Subcommands receive it through a public constructor taking a
 * CliContext (see {@link PacketTraceCli}).
 *
 * @param out           stdout: events and summary unless --output-file; help and version text
 * @param err           stderr: status lines and error messages
 * @param handleSignals install a shutdown hook that stops a run cleanly on Ctrl-C/SIGTERM
 */
public record CliContext(
        OutputStream out,
        PrintStream err,
        TracerFactory sessions,
        LongSupplier nanoClock,
        Supplier<ClockOffset> wallClock,
        NetnsResolver netns,
        boolean handleSignals) {

    /** The real process: fd 1 unbuffered (writers buffer themselves and report write errors, which
     * System.out would swallow), System.err, the kernel tracer, the system clocks. */
    public static CliContext system() {
        return new CliContext(
                new FileOutputStream(FileDescriptor.out),
                System.err,
                TracerFactory.kernel(),
                System::nanoTime,
                ClockOffset::measure,
                new NetnsResolver(),
                true);
    }

    public TraceRunner newRunner() {
        return new TraceRunner(sessions, nanoClock, wallClock, err);
    }

    /** A shutdown hook for the runner when this context handles signals, otherwise nothing. */
    public SignalStop stopOnSignals(TraceRunner runner) {
        return handleSignals ? SignalStop.install(runner) : SignalStop.disabled();
    }
}
