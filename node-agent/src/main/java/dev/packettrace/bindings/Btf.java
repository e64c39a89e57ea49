// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.bindings;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * Type information: the running kernel's (from /sys/kernel/btf/vmlinux) or a BPF object's. Used to
 * learn what this kernel has (tracepoint prototypes, enum skb_drop_reason) instead of assuming it.
 */
public final class Btf implements AutoCloseable {

    private static final int TYPE_HEADER = 12;
    private static final int MEMBER_SIZE = 12; // btf_member, btf_var_secinfo, btf_enum64
    private static final int PAIR_SIZE = 8;    // btf_enum, btf_param

    private final MemorySegment btf;
    private final boolean owned;
    private boolean closed;

    Btf(MemorySegment btf, boolean owned) {
        this.btf = btf;
        this.owned = owned;
    }

    /** The running kernel's BTF; fails when the kernel was built without CONFIG_DEBUG_INFO_BTF. */
    public static Btf loadVmlinux() {
        LibbpfLog.install();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = Native.captureSegment(arena);
            LibbpfLog.begin();
            MemorySegment btf = (MemorySegment) Native.BTF_LOAD_VMLINUX.invokeExact(capture);
            return new Btf(Calls.checkPointer("btf__load_vmlinux_btf", btf, capture), true);
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }

    public OptionalInt find(String name, BtfKind kind) {
        try (Arena arena = Arena.ofConfined()) {
            int id = (int) Native.BTF_FIND_BY_NAME_KIND.invokeExact(btf, arena.allocateFrom(name), kind.number());
            return id > 0 ? OptionalInt.of(id) : OptionalInt.empty();
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }

    /** Type ids run from 1 to typeCount() - 1 (0 is void). */
    public int typeCount() {
        try {
            return (int) Native.BTF_TYPE_CNT.invokeExact(btf);
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }

    /** Only the kind of a type, without copying its name and members: for scanning every type cheaply. */
    public BtfKind kind(int id) {
        try {
            MemorySegment header = (MemorySegment) Native.BTF_TYPE_BY_ID.invokeExact(btf, id);
            if (Native.isNull(header)) {
                throw Calls.failure("btf__type_by_id(" + id + ")", Errno.ENOENT);
            }
            return BtfKind.of((header.reinterpret(TYPE_HEADER).get(JAVA_INT, 4) >>> 24) & 0x1f);
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }

    /** Only the name of a type (empty for anonymous ones), without copying its members. */
    public String typeName(int id) {
        try {
            MemorySegment header = (MemorySegment) Native.BTF_TYPE_BY_ID.invokeExact(btf, id);
            if (Native.isNull(header)) {
                throw Calls.failure("btf__type_by_id(" + id + ")", Errno.ENOENT);
            }
            return name(header.reinterpret(TYPE_HEADER).get(JAVA_INT, 0));
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }

    public BtfType type(int id) {
        try {
            MemorySegment header = (MemorySegment) Native.BTF_TYPE_BY_ID.invokeExact(btf, id);
            if (Native.isNull(header)) {
                throw Calls.failure("btf__type_by_id(" + id + ")", Errno.ENOENT);
            }
            header = header.reinterpret(TYPE_HEADER);
            int nameOff = header.get(JAVA_INT, 0);
            int info = header.get(JAVA_INT, 4);
            int sizeOrType = header.get(JAVA_INT, 8);
            BtfKind kind = BtfKind.of((info >>> 24) & 0x1f);
            int vlen = info & 0xffff;
            boolean kflag = (info >>> 31) != 0;
            return new BtfType(id, kind, name(nameOff), sizeOrType, members(header, kind, vlen, kflag));
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }

    /** Follows typedefs and const/volatile/restrict/type tags to the type underneath. */
    public BtfType resolve(int id) {
        BtfType t = type(id);
        for (int hops = 0; t.kind().isModifier() && hops < 32; hops++) {
            if (t.sizeOrType() == 0) {
                return t;
            }
            t = type(t.sizeOrType());
        }
        return t;
    }

    private List<BtfType.Member> members(MemorySegment header, BtfKind kind, int vlen, boolean kflag) throws Throwable {
        int entry = switch (kind) {
            case STRUCT, UNION, DATASEC, ENUM64 -> MEMBER_SIZE;
            case ENUM, FUNC_PROTO -> PAIR_SIZE;
            default -> 0;
        };
        if (entry == 0 || vlen == 0) {
            return List.of();
        }
        MemorySegment body = header.reinterpret(TYPE_HEADER + (long) entry * vlen).asSlice(TYPE_HEADER);
        List<BtfType.Member> list = new ArrayList<>(vlen);
        for (int i = 0; i < vlen; i++) {
            long at = (long) i * entry;
            int a = body.get(JAVA_INT, at);
            int b = body.get(JAVA_INT, at + 4);
            switch (kind) {
                case STRUCT, UNION -> list.add(new BtfType.Member(name(a), b,
                        kflag ? body.get(JAVA_INT, at + 8) & 0xffffff : Integer.toUnsignedLong(body.get(JAVA_INT, at + 8)), 0));
                case ENUM -> list.add(new BtfType.Member(name(a), 0, kflag ? b : Integer.toUnsignedLong(b), 0));
                case ENUM64 -> list.add(new BtfType.Member(name(a), 0,
                        Integer.toUnsignedLong(b) | ((long) body.get(JAVA_INT, at + 8) << 32), 0));
                case FUNC_PROTO -> list.add(new BtfType.Member(name(a), b, i, 0));
                case DATASEC -> list.add(new BtfType.Member(type(a).name(), a, Integer.toUnsignedLong(b), body.get(JAVA_INT, at + 8)));
                default -> throw new IllegalStateException("no members for " + kind);
            }
        }
        return list;
    }

    private String name(int offset) throws Throwable {
        MemorySegment s = (MemorySegment) Native.BTF_NAME_BY_OFFSET.invokeExact(btf, offset);
        return Native.string(s).orElse("");
    }

    @Override
    public synchronized void close() {
        if (closed || !owned) {
            closed = true;
            return;
        }
        closed = true;
        try {
            Native.BTF_FREE.invokeExact(btf);
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }
}
