// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.lab;

import java.util.List;

/**
 * An external command (ip, iptables, nc, ping) ran but did not succeed. Carries the exact argument list,
 * the exit code and what the command wrote to stderr, so that the failure can be reproduced by hand.
 */
public final class CommandFailedException extends LabException {

    private final List<String> command;
    private final int exitCode;
    private final String stderr;
    private final boolean timedOut;

    public CommandFailedException(List<String> command, int exitCode, String stderr, boolean timedOut) {
        super(describe(command, exitCode, stderr, timedOut));
        this.command = List.copyOf(command);
        this.exitCode = exitCode;
        this.stderr = stderr;
        this.timedOut = timedOut;
    }

    private static String describe(List<String> command, int exitCode, String stderr, boolean timedOut) {
        String how =
                timedOut ? "timed out and was killed (exit " + exitCode + ")" : "failed with exit code " + exitCode;
        String err = stderr.isBlank() ? "no output on stderr" : "stderr: " + stderr.strip();
        return "command " + how + ": " + String.join(" ", command) + " (" + err + ")";
    }

    public List<String> command() {
        return command;
    }

    public int exitCode() {
        return exitCode;
    }

    public String stderr() {
        return stderr;
    }

    public boolean timedOut() {
        return timedOut;
    }
}
