// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.lab;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for a condition to become true, re-checking at short intervals until a deadline. */
final class Deadline {

    private static final Duration INTERVAL = Duration.ofMillis(20);

    private Deadline() {}

    /** Returns once {@code condition} holds; throws naming {@code what} if it still does not after {@code timeout}. */
    static void await(BooleanSupplier condition, Duration timeout, Supplier<String> what) {
        long end = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                throw new LabException("gave up after " + timeout.toMillis() + " ms waiting for " + what.get());
            }
            try {
                Thread.sleep(INTERVAL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LabException("interrupted while waiting for " + what.get(), e);
            }
        }
    }
}
