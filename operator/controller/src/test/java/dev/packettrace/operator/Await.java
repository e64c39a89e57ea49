// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.operator;

import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/** Waits for a condition with a deadline: asynchronous tests never rely on a fixed sleep. */
final class Await {

    private Await() {}

    static void until(String what, Duration timeout, Supplier<Boolean> condition) {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            try {
                if (Boolean.TRUE.equals(condition.get())) {
                    return;
                }
            } catch (RuntimeException e) {
                if (Instant.now().isAfter(deadline)) {
                    throw new AssertionError("timed out after " + timeout + " waiting for " + what, e);
                }
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            try {
                Thread.sleep(20); // poll interval, not synchronisation: the loop re-checks the condition
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
    }
}
