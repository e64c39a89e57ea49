// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import dev.packettrace.bindings.Btf;
import dev.packettrace.bindings.BtfKind;
import dev.packettrace.bindings.BtfType;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Names of drop reasons as this kernel numbers them, read from its BTF {@code enum skb_drop_reason}:
 * the numbers differ between kernel versions, so no table is built in.
 */
public final class DropReasons {

    private static final String PREFIX = "SKB_DROP_REASON_";
    private final Map<Long, String> names;

    private DropReasons(Map<Long, String> names) {
        this.names = Map.copyOf(names);
    }

    /** The kernel's reasons; empty on kernels before 5.17, which have none. */
    public static DropReasons fromKernel(Btf kernel) {
        Map<Long, String> names = new HashMap<>();
        OptionalInt id = kernel.find("skb_drop_reason", BtfKind.ENUM);
        if (id.isEmpty()) {
            id = kernel.find("skb_drop_reason", BtfKind.ENUM64);
        }
        id.ifPresent(i -> {
            for (BtfType.Member m : kernel.type(i).members()) {
                String name = m.name().startsWith(PREFIX) ? m.name().substring(PREFIX.length()) : m.name();
                names.putIfAbsent(m.value(), name);
            }
        });
        return new DropReasons(names);
    }

    /** For tests and for reasons decoded elsewhere. */
    public static DropReasons of(Map<Long, String> names) {
        return new DropReasons(names);
    }

    /** "NETFILTER_DROP"; a number this kernel's enum does not name becomes "UNKNOWN_&lt;n&gt;". */
    public String name(long reason) {
        String name = names.get(reason);
        return name != null ? name : "UNKNOWN_" + reason;
    }

    public boolean isEmpty() {
        return names.isEmpty();
    }

    public int size() {
        return names.size();
    }
}
