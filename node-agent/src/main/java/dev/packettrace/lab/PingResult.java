// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.lab;

/** What ping reported: echo requests sent and replies received. */
public record PingResult(int transmitted, int received) {

    public PingResult {
        if (transmitted < 0 || received < 0 || received > transmitted) {
            throw new IllegalArgumentException("impossible ping counts: " + received + " of " + transmitted);
        }
    }

    public boolean allReplied() {
        return transmitted > 0 && received == transmitted;
    }
}
