// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.lab;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs external commands from argument lists (never through a shell, so no argument is ever re-parsed),
 * with a deadline and bounded output capture.
 */
final class CommandRunner {

    /** Enough for every listing the lab parses; more is dropped and counted. */
    static final int OUTPUT_LIMIT = 256 * 1024;

    private static final Duration KILL_GRACE = Duration.ofSeconds(5);

    private CommandRunner() {}

    /** Runs the command to completion or until {@code timeout}, when it is killed; never throws on a non-zero exit. */
    static CommandResult run(List<String> command, Duration timeout, byte[] stdin) {
        Process process = start(command, ProcessBuilder.Redirect.PIPE, ProcessBuilder.Redirect.PIPE);
        StreamCapture out = new StreamCapture(process.getInputStream(), OUTPUT_LIMIT, "stdout " + command.getFirst());
        StreamCapture err = new StreamCapture(process.getErrorStream(), OUTPUT_LIMIT, "stderr " + command.getFirst());
        writeStdin(process, stdin, command);
        boolean timedOut = false;
        try {
            if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                timedOut = true;
                process.destroyForcibly();
                if (!process.waitFor(KILL_GRACE.toNanos(), TimeUnit.NANOSECONDS)) {
                    throw new LabException("command did not exit " + KILL_GRACE.toSeconds() + "s after SIGKILL: "
                            + String.join(" ", command));
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new LabException("interrupted while running: " + String.join(" ", command), e);
        }
        return new CommandResult(command, process.exitValue(), out.await(), err.await(), timedOut);
    }

    static CommandResult runChecked(List<String> command, Duration timeout) {
        return run(command, timeout, new byte[0]).requireSuccess();
    }

    /** Starts a process with stderr on a pipe; the caller owns the process and must drain that pipe. */
    static Process start(List<String> command, ProcessBuilder.Redirect stdin, ProcessBuilder.Redirect stdout) {
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectInput(stdin)
                .redirectOutput(stdout)
                .redirectError(ProcessBuilder.Redirect.PIPE);
        // The lab parses ping's and iptables' output; pin the locale so the wording is stable.
        pb.environment().put("LC_ALL", "C");
        try {
            return pb.start();
        } catch (IOException e) {
            throw new LabException(
                    "cannot start '" + command.getFirst() + "' (" + e.getMessage() + "); "
                            + LabTools.installHint(command.getFirst()),
                    e);
        }
    }

    private static void writeStdin(Process process, byte[] stdin, List<String> command) {
        try (OutputStream in = process.getOutputStream()) {
            in.write(stdin);
        } catch (IOException e) {
            // A child that exits without reading its input closes the pipe; its exit code tells the story.
            if (process.isAlive()) {
                throw new LabException("cannot write stdin of: " + String.join(" ", command), e);
            }
        }
    }
}
