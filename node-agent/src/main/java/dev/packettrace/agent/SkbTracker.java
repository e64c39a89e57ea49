// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.agent;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * For a trace with track-skb: the sk_buffs that matched this trace's own filters, so that the tracer's
 * later "tracked" events of the same skb (in another namespace, after NAT, ...) are attributed to the
 * traces that followed it and no others. Bounded: past {@code capacity} skbs in flight the oldest is
 * forgotten and counted; an skb is forgotten when the kernel frees it.
 */
final class SkbTracker {

    static final int DEFAULT_CAPACITY = 65_536; // as many as the kernel's own pt_tracked_skbs map

    private final int capacity;
    private final LinkedHashMap<Long, String> podBySkb;
    private long forgotten;

    SkbTracker(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.capacity = capacity;
        this.podBySkb = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, String> eldest) {
                if (size() > SkbTracker.this.capacity) {
                    forgotten++;
                    return true;
                }
                return false;
            }
        };
    }

    /** Starts following an skb that matched in {@code pod}'s namespace (first match wins). */
    void follow(long skb, String pod) {
        podBySkb.putIfAbsent(skb, pod);
    }

    /** The pod where this skb first matched, when this trace follows it. */
    Optional<String> originOf(long skb) {
        return Optional.ofNullable(podBySkb.get(skb));
    }

    /** The kernel freed the skb: its address may be reused by an unrelated packet. */
    void freed(long skb) {
        podBySkb.remove(skb);
    }

    int size() {
        return podBySkb.size();
    }

    /** How many skbs were dropped from the set because it was full. */
    long forgotten() {
        return forgotten;
    }
}
