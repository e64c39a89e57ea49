// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.lab;

/** What a round of demo traffic did: connection attempts to each port and how many completed. */
public record DemoTraffic(int allowedAttempts, int allowedConnected, int blockedAttempts, int blockedConnected) {

    /** True when every attempt to the allowed port connected and none to the blocked port did. */
    public boolean asExpected() {
        return allowedConnected == allowedAttempts && blockedConnected == 0;
    }
}
