// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.lab;

import java.util.List;

/**
 * How an external command ended. A non-zero exit is data here, not an error: some commands (nc -z, ping)
 * report their answer through the exit code. {@link #requireSuccess()} turns it into an error where it is one.
 */
public record CommandResult(List<String> command, int exitCode, String stdout, String stderr, boolean timedOut) {

    public CommandResult {
        command = List.copyOf(command);
    }

    public boolean succeeded() {
        return !timedOut && exitCode == 0;
    }

    /** Returns this result when the command exited 0 in time, else throws with the command line and stderr. */
    public CommandResult requireSuccess() {
        if (!succeeded()) {
            throw new CommandFailedException(command, exitCode, stderr, timedOut);
        }
        return this;
    }
}
