// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.output;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.packettrace.tracer.Tuple;
import org.junit.jupiter.api.Test;

class ProtoNamesTest {

    @Test
    void namesEveryProtocolNumberLikeTuple() {
        var any = SampleEvents.ip("10.0.0.1");
        for (int n = 0; n < 256; n++) {
            assertEquals(new Tuple(any, any, 0, 0, n).l4protoName(), ProtoNames.of(n), "protocol " + n);
        }
        assertEquals("tcp", ProtoNames.of(6));
        assertEquals("icmp6", ProtoNames.of(58));
        assertEquals("47", ProtoNames.of(47));
        assertEquals("300", ProtoNames.of(300));
    }
}
