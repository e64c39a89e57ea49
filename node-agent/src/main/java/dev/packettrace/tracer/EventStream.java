// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

/**
 * Which matched hits the kernel streams as events, and which it only counts (bpf/include/counts.h).
 *
 * @param events       every matched hit, only the drops, or none
 * @param perSecond    at most this many events a second leave the kernel; 0 for no budget. What the budget
 *                     refuses is counted ({@link TraceStats#overBudget()}), not lost silently.
 * @param kernelCounts the kernel counts drops by (namespace, reason, location) and hits by (namespace, probe);
 *                     always on when some matched hits are not streamed, since then only the kernel sees them all
 */
public record EventStream(Events events, long perSecond, boolean kernelCounts) {

    /** Every matched hit is an event, without budget, counted in Java: what a trace did before kernel counts. */
    public static final EventStream ALL = new EventStream(Events.ALL, 0, false);
    /** The budget is a u32 in the kernel; ten million a second is far above what a ring buffer drains. */
    public static final long MAX_PER_SECOND = 10_000_000;

    public enum Events {
        ALL,
        DROPS,
        NONE;

        /** The name in flags and the CRD: all, drops, none. */
        public String flagName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** Whether a matched hit becomes an event under this choice (PT_EVENTS_* in bpf/include/counts.h). */
        public boolean streams(boolean drop) {
            return this == ALL || (this == DROPS && drop);
        }
    }

    public EventStream {
        java.util.Objects.requireNonNull(events, "events");
        if (perSecond < 0 || perSecond > MAX_PER_SECOND) {
            throw new IllegalArgumentException(
                    "events per second " + perSecond + " must be between 0 (no budget) and " + MAX_PER_SECOND);
        }
        kernelCounts = kernelCounts || events != Events.ALL || perSecond > 0;
    }

    public static EventStream of(Events events, long perSecond) {
        return new EventStream(events, perSecond, false);
    }

    /** Some matched hits may not become events: the summary must come from the kernel's counts. */
    public boolean partial() {
        return events != Events.ALL || perSecond > 0;
    }
}
