// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class SkbTrackerTest {

    @Test
    void followsUntilFreedAndTheFirstMatchNamesThePod() {
        SkbTracker t = new SkbTracker(10);
        t.follow(0xa, "web-0");
        t.follow(0xa, "web-1");
        assertEquals(Optional.of("web-0"), t.originOf(0xa));
        t.freed(0xa);
        assertEquals(Optional.empty(), t.originOf(0xa), "a freed skb's address may belong to an unrelated packet next");
    }

    @Test
    void staysBoundedAndCountsWhatItForgot() {
        SkbTracker t = new SkbTracker(3);
        for (long skb = 1; skb <= 5; skb++) {
            t.follow(skb, "p");
        }
        assertEquals(3, t.size());
        assertEquals(2, t.forgotten());
        assertEquals(Optional.empty(), t.originOf(1), "the oldest went first");
        assertEquals(Optional.of("p"), t.originOf(5));
    }
}
