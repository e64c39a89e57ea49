// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import java.util.OptionalInt;

/**
 * One tracepoint program of the BPF object and where, in this kernel's prototype of the
 * tracepoint, the arguments it reads sit (argument positions count from 0, after the hidden
 * context pointer that BTF lists first).
 *
 * @param id      the probe id the program writes into its events
 * @param program the program's ELF name, pt&lt;id&gt;_&lt;group&gt;__&lt;event&gt;
 */
public record TracepointProbe(
        int id,
        String group,
        String event,
        String program,
        OptionalInt skbArg,
        OptionalInt sockArg,
        OptionalInt locationArg,
        OptionalInt reasonArg) {

    /** "skb:kfree_skb", as perf and tracefs name it. */
    public String displayName() {
        return group + ":" + event;
    }

    /** Frees the skb: a tracked skb is forgotten here. */
    public boolean freesSkb() {
        return event.equals("kfree_skb") || event.equals("consume_skb");
    }

    /** kfree_skb reports drops; consume_skb reports normal frees. */
    public boolean reportsDrops() {
        return event.equals("kfree_skb");
    }
}
