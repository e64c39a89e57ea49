// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.bindings;

import java.lang.foreign.MemorySegment;

/** One attachment of a program (tracepoint, kprobe, kprobe-multi or fentry link). Closing it detaches the program there. */
public final class BpfLink implements AutoCloseable {

    private final MemorySegment link;
    private final String description;
    private boolean closed;

    BpfLink(MemorySegment link, String description) {
        this.link = link;
        this.description = description;
    }

    /** What is attached where, e.g. "pt0_skb__kfree_skb -> tp_btf/kfree_skb" or "ptk_skb1 -> kprobe/ip_rcv". */
    public String description() {
        return description;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        LibbpfLog.begin();
        Calls.check("bpf_link__destroy(" + description + ")", Native.linkDestroy(link));
    }
}
