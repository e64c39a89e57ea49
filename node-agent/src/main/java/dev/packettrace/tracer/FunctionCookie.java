// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import java.util.Set;

/**
 * The 64-bit value a function probe carries for one function (PT_FN_* in bpf/include/function.h): the
 * sk_buff's parameter index, whether the function frees the sk_buff, and the function's index in the
 * catalog plus one, which comes back in the event's probe_id.
 */
public final class FunctionCookie {

    static final long SKB_ARG_MASK = 0x7;
    static final long FREES = 1L << 3;
    static final int INDEX_SHIFT = 32;

    /**
     * Where an sk_buff's memory is finally released, after skb:kfree_skb/consume_skb have fired: a tracked
     * sk_buff is forgotten here, or functions called after the tracepoint would track it again and its
     * address, once reused, would be reported as tracked.
     */
    static final Set<String> FREEING_FUNCTIONS = Set.of("kfree_skbmem", "napi_skb_cache_put");

    private FunctionCookie() {}

    public static long of(int index, SkbFunction function) {
        if (index < 0) {
            throw new IllegalArgumentException("function index " + index + " is negative");
        }
        long cookie = ((long) (index + 1) << INDEX_SHIFT) | (function.skbParam() - 1);
        return FREEING_FUNCTIONS.contains(function.name()) ? cookie | FREES : cookie;
    }

    /** The catalog index from an event's probe_id; negative when the probe had no cookie. */
    public static int indexOf(long probeId) {
        return (int) probeId - 1;
    }
}
