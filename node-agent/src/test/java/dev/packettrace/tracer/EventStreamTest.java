// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class EventStreamTest {

    @Test
    void theKernelCountsWheneverSomeHitsAreNotStreamed() {
        assertFalse(EventStream.ALL.kernelCounts());
        assertFalse(EventStream.ALL.partial());
        assertTrue(EventStream.of(EventStream.Events.DROPS, 0).kernelCounts());
        assertTrue(EventStream.of(EventStream.Events.NONE, 0).kernelCounts());
        assertTrue(EventStream.of(EventStream.Events.ALL, 10).kernelCounts(), "a budget refuses some");
        assertTrue(EventStream.of(EventStream.Events.ALL, 10).partial());
        assertTrue(new EventStream(EventStream.Events.ALL, 0, true).kernelCounts(), "asked for explicitly");
        assertFalse(new EventStream(EventStream.Events.ALL, 0, true).partial(), "every hit is still streamed");
    }

    @Test
    void theBudgetIsBounded() {
        IllegalArgumentException negative =
                assertThrows(IllegalArgumentException.class, () -> EventStream.of(EventStream.Events.ALL, -1));
        assertTrue(negative.getMessage().contains("events per second -1"), negative.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> EventStream.of(EventStream.Events.ALL, EventStream.MAX_PER_SECOND + 1));
        assertEquals(
                EventStream.MAX_PER_SECOND,
                EventStream.of(EventStream.Events.ALL, EventStream.MAX_PER_SECOND)
                        .perSecond());
    }
}
