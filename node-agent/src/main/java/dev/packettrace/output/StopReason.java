// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.output;

/** Why a trace run ended; reported in the summary. */
public enum StopReason {
    DURATION("duration", "the --duration elapsed"),
    LIMIT("limit", "the --output-limit-lines limit was reached"),
    SIGNAL("signal", "interrupted (Ctrl-C or SIGTERM)"),
    REQUESTED("requested", "stopped by the caller");

    private final String token;
    private final String description;

    StopReason(String token, String description) {
        this.token = token;
        this.description = description;
    }

    /** The value of {@code stoppedBy} in the JSON summary. */
    public String token() {
        return token;
    }

    public String description() {
        return description;
    }
}
