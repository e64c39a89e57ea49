// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for a condition the kernel completes asynchronously (a program freed after RCU, a process
 * gone), checking it repeatedly until a deadline. The deadline bounds the test; it is not a guess at
 * how long something takes.
 */
public final class Eventually {

    private static final long CHECK_INTERVAL_NANOS = Duration.ofMillis(20).toNanos();

    private Eventually() {}

    public static void await(Duration deadline, BooleanSupplier condition, Supplier<String> whatFailed) {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                fail("not true within " + deadline.toMillis() + " ms: " + whatFailed.get());
            }
            LockSupport.parkNanos(CHECK_INTERVAL_NANOS);
        }
    }
}
