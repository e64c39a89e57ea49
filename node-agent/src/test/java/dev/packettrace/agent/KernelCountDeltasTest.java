// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.packettrace.tracer.EventStream;
import dev.packettrace.tracer.KernelCounts;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class KernelCountDeltasTest {

    private static KernelCounts counts(long matched, long drops, long rx) {
        return new KernelCounts(
                matched,
                0,
                0,
                List.of(new KernelCounts.Drop(10, "NETFILTER_DROP", Optional.of("nf_hook_slow+0x9a"), drops)),
                List.of(
                        new KernelCounts.Hits(10, "skb:kfree_skb", drops),
                        new KernelCounts.Hits(10, "net:netif_rx", rx)));
    }

    @Test
    void eachReadYieldsWhatWasCountedSinceTheLastOne() {
        KernelCountDeltas deltas = new KernelCountDeltas();
        KernelCounts first = deltas.since(counts(12, 2, 10));
        assertEquals(12, first.matched());
        assertEquals(2, first.dropCount());

        KernelCounts second = deltas.since(counts(20, 3, 17));
        assertEquals(8, second.matched());
        assertEquals(1, second.dropCount());
        assertEquals(
                List.of(new KernelCounts.Hits(10, "skb:kfree_skb", 1), new KernelCounts.Hits(10, "net:netif_rx", 7)),
                second.hits());

        KernelCounts unchanged = deltas.since(counts(20, 3, 17));
        assertEquals(0, unchanged.matched());
        assertEquals(List.of(), unchanged.hits(), "nothing new, nothing handed on");
    }

    @Test
    void theNodeStreamsOnlyWhatEveryTraceAllowsAndOnlyWhenTheKernelCanCountForAll() {
        assertEquals(EventStream.ALL, SessionSpec.stream(List.of()));
        assertEquals(
                EventStream.of(EventStream.Events.NONE, 0),
                SessionSpec.stream(
                        List.of(Optional.of(EventStream.Events.NONE), Optional.of(EventStream.Events.NONE))));
        assertEquals(
                EventStream.of(EventStream.Events.DROPS, 0),
                SessionSpec.stream(
                        List.of(Optional.of(EventStream.Events.NONE), Optional.of(EventStream.Events.DROPS))));
        assertEquals(
                EventStream.ALL,
                SessionSpec.stream(List.of(Optional.of(EventStream.Events.DROPS), Optional.of(EventStream.Events.ALL))),
                "one trace wants every event");
        assertEquals(
                EventStream.ALL,
                SessionSpec.stream(List.of(Optional.of(EventStream.Events.NONE), Optional.empty())),
                "one trace filters in Java and must see every event to count");
    }
}
