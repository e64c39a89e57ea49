// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import dev.packettrace.bindings.Btf;
import dev.packettrace.bindings.BtfKind;
import dev.packettrace.bindings.BtfType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which of the BPF object's tracepoint programs this kernel can run, and with which argument
 * positions. A tracepoint exists when the kernel's BTF has its {@code btf_trace_<event>} typedef;
 * that typedef's function prototype tells where the sk_buff, socket, location and drop reason are,
 * which is how one object serves kernels whose tracepoint prototypes differ.
 */
public final class TracepointCatalog {

    private static final Pattern PROGRAM_NAME = Pattern.compile("pt(\\d+)_([a-z0-9]+)__([a-z0-9_]+)");

    /** Mirrors PT_MAX_PROBES in bpf/include/config.h. */
    public static final int MAX_PROBES = 32;

    private final List<TracepointProbe> available;
    private final Map<String, String> unavailable;

    private TracepointCatalog(List<TracepointProbe> available, Map<String, String> unavailable) {
        this.available = List.copyOf(available);
        this.unavailable = Map.copyOf(unavailable);
    }

    /**
     * @param programNames the ELF names of the object's programs
     * @param kernel       the running kernel's BTF
     */
    public static TracepointCatalog discover(List<String> programNames, Btf kernel) {
        List<TracepointProbe> available = new ArrayList<>();
        Map<String, String> unavailable = new TreeMap<>();
        for (String program : programNames) {
            Matcher m = PROGRAM_NAME.matcher(program);
            if (!m.matches()) {
                continue;
            }
            int id = Integer.parseInt(m.group(1));
            if (id >= MAX_PROBES) {
                throw new IllegalStateException("BPF program " + program + " has probe id " + id + " >= " + MAX_PROBES);
            }
            String group = m.group(2);
            String event = m.group(3);
            String display = group + ":" + event;
            Optional<BtfType> proto = prototype(kernel, event);
            if (proto.isEmpty()) {
                unavailable.put(display, "not in this kernel");
                continue;
            }
            TracepointProbe probe = positions(kernel, proto.get(), id, group, event, program);
            if (probe.skbArg().isEmpty() && probe.sockArg().isEmpty()) {
                unavailable.put(display, "carries neither an sk_buff nor a socket in this kernel");
                continue;
            }
            available.add(probe);
        }
        available.sort(Comparator.comparingInt(TracepointProbe::id));
        return new TracepointCatalog(available, unavailable);
    }

    public List<TracepointProbe> available() {
        return available;
    }

    /** Tracepoints the object knows but this kernel cannot serve, with the reason. */
    public Map<String, String> unavailable() {
        return unavailable;
    }

    public Optional<TracepointProbe> byProgram(String program) {
        return available.stream().filter(p -> p.program().equals(program)).findFirst();
    }

    private static Optional<BtfType> prototype(Btf kernel, String event) {
        OptionalInt typedef = kernel.find("btf_trace_" + event, BtfKind.TYPEDEF);
        if (typedef.isEmpty()) {
            return Optional.empty();
        }
        BtfType pointer = kernel.resolve(typedef.getAsInt());
        if (pointer.kind() != BtfKind.PTR) {
            return Optional.empty();
        }
        BtfType proto = kernel.resolve(pointer.sizeOrType());
        return proto.kind() == BtfKind.FUNC_PROTO ? Optional.of(proto) : Optional.empty();
    }

    private static TracepointProbe positions(
            Btf kernel, BtfType proto, int id, String group, String event, String program) {
        OptionalInt skb = OptionalInt.empty();
        OptionalInt sock = OptionalInt.empty();
        OptionalInt location = OptionalInt.empty();
        OptionalInt reason = OptionalInt.empty();
        List<BtfType.Member> params = proto.members();
        // params.get(0) is the tracepoint's hidden "void *__data"; raw tracepoint args start after it
        for (int i = 1; i < params.size() && i <= 6; i++) {
            int arg = i - 1;
            BtfType type = kernel.resolve(params.get(i).type());
            if (type.kind() == BtfKind.PTR) {
                if (type.sizeOrType() == 0) {
                    if (location.isEmpty() && skb.isPresent()) {
                        location = OptionalInt.of(arg);
                    }
                    continue;
                }
                BtfType target = kernel.resolve(type.sizeOrType());
                if (target.kind() == BtfKind.STRUCT && target.name().equals("sk_buff") && skb.isEmpty()) {
                    skb = OptionalInt.of(arg);
                } else if (target.kind() == BtfKind.STRUCT && target.name().equals("sock") && sock.isEmpty()) {
                    sock = OptionalInt.of(arg);
                }
            } else if ((type.kind() == BtfKind.ENUM || type.kind() == BtfKind.ENUM64)
                    && type.name().equals("skb_drop_reason")
                    && reason.isEmpty()) {
                reason = OptionalInt.of(arg);
            }
        }
        return new TracepointProbe(id, group, event, program, skb, sock, location, reason);
    }
}
