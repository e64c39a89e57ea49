// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.cli;

/**
 * A command-line value is wrong. The message names the flag, quotes the value and says why, e.g.
 * "--filter-dst-port: '70000' is outside 1..65535"; the CLI prints it without a stack trace and exits with 2.
 */
public final class UsageException extends RuntimeException {

    private final String flag;

    public UsageException(String flag, String value, String reason) {
        super(flag + ": '" + value + "' " + reason);
        this.flag = flag;
    }

    /** For reasons that already quote the value (IpPrefix.parse's messages do). */
    public static UsageException withMessage(String flag, String message) {
        return new UsageException(flag, message);
    }

    private UsageException(String flag, String message) {
        super(flag + ": " + message);
        this.flag = flag;
    }

    public String flag() {
        return flag;
    }
}
