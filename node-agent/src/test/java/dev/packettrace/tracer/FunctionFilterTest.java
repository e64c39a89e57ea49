// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** --filter-func has pwru's meaning: an RE2 expression matched against the whole name. */
class FunctionFilterTest {

    @Test
    void aPlainNameSelectsExactlyThatFunction() {
        FunctionFilter f = FunctionFilter.of("ip_rcv");
        assertTrue(f.matches("ip_rcv"));
        assertFalse(f.matches("ip_rcv_core"), "anchored at the end");
        assertFalse(f.matches("__ip_rcv"), "anchored at the start");
    }

    @Test
    void regularExpressionsMatchWholeNames() {
        FunctionFilter f = FunctionFilter.of("ip_.*|nf_hook_slow");
        List<String> names =
                List.of("ip_rcv", "ip_rcv_core", "nf_hook_slow", "nf_hook_slow_list", "tcp_v4_rcv", "__ip_local_out");
        assertEquals(
                List.of("ip_rcv", "ip_rcv_core", "nf_hook_slow"),
                names.stream().filter(f::matches).toList());
        assertTrue(FunctionFilter.of("(?i)IP_RCV").matches("ip_rcv"), "RE2 flags work");
        assertTrue(FunctionFilter.of("tcp_v[46]_rcv").matches("tcp_v6_rcv"));
    }

    @Test
    void withoutAnExpressionEverythingMatches() {
        assertTrue(FunctionFilter.all().matches("anything"));
        assertEquals(Optional.empty(), FunctionFilter.all().expression());
        assertEquals(Optional.of("ip_rcv"), FunctionFilter.of("ip_rcv").expression());
        assertEquals(FunctionFilter.of("a.*"), FunctionFilter.of("a.*"));
    }

    @Test
    void invalidExpressionsAreRejectedWithTheReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FunctionFilter.of("ip_(rcv"));
        assertTrue(e.getMessage().contains("'ip_(rcv'") && e.getMessage().contains("RE2"), e.getMessage());
        // backreferences are not RE2: rejected rather than silently run with exponential cost
        assertThrows(IllegalArgumentException.class, () -> FunctionFilter.of("(a)\\1"));
        assertThrows(IllegalArgumentException.class, () -> FunctionFilter.of(""));
    }
}
