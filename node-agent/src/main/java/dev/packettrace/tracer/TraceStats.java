// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

/**
 * Counters of a tracer session.
 *
 * @param events     events delivered to the listener
 * @param lost       events the BPF side could not reserve ring buffer space for (counted in the kernel)
 * @param overBudget matched hits the per-second event budget kept from becoming events (counted in the kernel)
 */
public record TraceStats(long events, long lost, long overBudget) {

    /** A session without an event budget. */
    public TraceStats(long events, long lost) {
        this(events, lost, 0);
    }
}
