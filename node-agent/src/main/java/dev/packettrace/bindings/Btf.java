// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.bindings;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * Type information: the running kernel's (from /sys/kernel/btf/vmlinux) or a BPF object's. Used to
 * learn what this kernel has (tracepoint prototypes, enum skb_drop_reason) instead of assuming it.
 */
@SuppressWarnings("restricted") // see package-info
public final class Btf implements AutoCloseable {

    // The kernel's uapi linux/btf.h. btf__type_by_id hands out pointers into libbpf's copy of the raw BTF
    // data, so these are read in place; a type's vlen entries follow its struct btf_type directly.

    /** struct btf_type { __u32 name_off; __u32 info; union { __u32 size; __u32 type; }; } */
    private static final StructLayout BTF_TYPE = MemoryLayout.structLayout(
                    JAVA_INT.withName("name_off"),
                    JAVA_INT.withName("info"),
                    // anonymous in C; which member applies depends on the kind, and both are read the same way
                    MemoryLayout.unionLayout(JAVA_INT.withName("size"), JAVA_INT.withName("type"))
                            .withName("size_or_type"))
            .withName("btf_type");

    private static final VarHandle TYPE_NAME_OFF = field(BTF_TYPE, "name_off");
    private static final VarHandle TYPE_INFO = field(BTF_TYPE, "info");
    private static final VarHandle TYPE_SIZE_OR_TYPE =
            BTF_TYPE.varHandle(PathElement.groupElement("size_or_type"), PathElement.groupElement("size"));

    /** struct btf_member { __u32 name_off; __u32 type; __u32 offset; }: STRUCT and UNION entries. */
    private static final StructLayout BTF_MEMBER = MemoryLayout.structLayout(
                    JAVA_INT.withName("name_off"), JAVA_INT.withName("type"), JAVA_INT.withName("offset"))
            .withName("btf_member");

    private static final VarHandle MEMBER_NAME_OFF = field(BTF_MEMBER, "name_off");
    private static final VarHandle MEMBER_TYPE = field(BTF_MEMBER, "type");
    private static final VarHandle MEMBER_OFFSET = field(BTF_MEMBER, "offset");

    /** struct btf_enum { __u32 name_off; __s32 val; }: ENUM entries. */
    private static final StructLayout BTF_ENUM = MemoryLayout.structLayout(
                    JAVA_INT.withName("name_off"), JAVA_INT.withName("val"))
            .withName("btf_enum");

    private static final VarHandle ENUM_NAME_OFF = field(BTF_ENUM, "name_off");
    private static final VarHandle ENUM_VAL = field(BTF_ENUM, "val");

    /** struct btf_enum64 { __u32 name_off; __u32 val_lo32; __u32 val_hi32; }: ENUM64 entries (4-byte aligned, hence split). */
    private static final StructLayout BTF_ENUM64 = MemoryLayout.structLayout(
                    JAVA_INT.withName("name_off"), JAVA_INT.withName("val_lo32"), JAVA_INT.withName("val_hi32"))
            .withName("btf_enum64");

    private static final VarHandle ENUM64_NAME_OFF = field(BTF_ENUM64, "name_off");
    private static final VarHandle ENUM64_VAL_LO32 = field(BTF_ENUM64, "val_lo32");
    private static final VarHandle ENUM64_VAL_HI32 = field(BTF_ENUM64, "val_hi32");

    /** struct btf_param { __u32 name_off; __u32 type; }: FUNC_PROTO entries. */
    private static final StructLayout BTF_PARAM = MemoryLayout.structLayout(
                    JAVA_INT.withName("name_off"), JAVA_INT.withName("type"))
            .withName("btf_param");

    private static final VarHandle PARAM_NAME_OFF = field(BTF_PARAM, "name_off");
    private static final VarHandle PARAM_TYPE = field(BTF_PARAM, "type");

    /** struct btf_var_secinfo { __u32 type; __u32 offset; __u32 size; }: DATASEC entries. */
    private static final StructLayout BTF_VAR_SECINFO = MemoryLayout.structLayout(
                    JAVA_INT.withName("type"), JAVA_INT.withName("offset"), JAVA_INT.withName("size"))
            .withName("btf_var_secinfo");

    private static final VarHandle SECINFO_TYPE = field(BTF_VAR_SECINFO, "type");
    private static final VarHandle SECINFO_OFFSET = field(BTF_VAR_SECINFO, "offset");
    private static final VarHandle SECINFO_SIZE = field(BTF_VAR_SECINFO, "size");

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
            MemorySegment btf = Native.btfLoadVmlinux(capture);
            return new Btf(Calls.checkPointer("btf__load_vmlinux_btf", btf, capture), true);
        }
    }

    public OptionalInt find(String name, BtfKind kind) {
        try (Arena arena = Arena.ofConfined()) {
            int id = Native.btfFindByNameKind(btf, arena.allocateFrom(name), kind.number());
            return id > 0 ? OptionalInt.of(id) : OptionalInt.empty();
        }
    }

    /** Type ids run from 1 to typeCount() - 1 (0 is void). */
    public int typeCount() {
        return Native.btfTypeCnt(btf);
    }

    /** Only the kind of a type, without copying its name and members: for scanning every type cheaply. */
    public BtfKind kind(int id) {
        return kindOf((int) TYPE_INFO.get(header(id), 0L));
    }

    /** Only the name of a type (empty for anonymous ones), without copying its members. */
    public String typeName(int id) {
        return name((int) TYPE_NAME_OFF.get(header(id), 0L));
    }

    public BtfType type(int id) {
        MemorySegment header = header(id);
        int info = (int) TYPE_INFO.get(header, 0L);
        BtfKind kind = kindOf(info);
        return new BtfType(
                id,
                kind,
                name((int) TYPE_NAME_OFF.get(header, 0L)),
                (int) TYPE_SIZE_OR_TYPE.get(header, 0L),
                members(header, kind, vlenOf(info), kflagOf(info)));
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

    /** The type's struct btf_type, sized to it: libbpf returns an unsized pointer. */
    private MemorySegment header(int id) {
        MemorySegment header = Native.btfTypeById(btf, id);
        if (Native.isNull(header)) {
            throw Calls.failure("btf__type_by_id(" + id + ")", Errno.ENOENT);
        }
        return header.reinterpret(BTF_TYPE.byteSize());
    }

    // The info word's bit fields, as btf.h's BTF_INFO_KIND, BTF_INFO_VLEN and BTF_INFO_KFLAG take them apart.

    private static BtfKind kindOf(int info) {
        return BtfKind.of((info >>> 24) & 0x1f);
    }

    private static int vlenOf(int info) {
        return info & 0xffff;
    }

    private static boolean kflagOf(int info) {
        return (info >>> 31) != 0;
    }

    private List<BtfType.Member> members(MemorySegment header, BtfKind kind, int vlen, boolean kflag) {
        StructLayout entry = switch (kind) {
            case STRUCT, UNION -> BTF_MEMBER;
            case ENUM -> BTF_ENUM;
            case ENUM64 -> BTF_ENUM64;
            case FUNC_PROTO -> BTF_PARAM;
            case DATASEC -> BTF_VAR_SECINFO;
            default -> null;
        };
        if (entry == null || vlen == 0) {
            return List.of();
        }
        MemorySegment body = header.reinterpret(BTF_TYPE.byteSize() + entry.byteSize() * vlen)
                .asSlice(BTF_TYPE.byteSize());
        List<BtfType.Member> list = new ArrayList<>(vlen);
        for (int i = 0; i < vlen; i++) {
            long at = i * entry.byteSize();
            switch (kind) {
                case STRUCT, UNION -> {
                    int offset = (int) MEMBER_OFFSET.get(body, at);
                    // with kind_flag set, offset packs a bitfield's size above its 24-bit bit offset
                    list.add(new BtfType.Member(
                            name((int) MEMBER_NAME_OFF.get(body, at)),
                            (int) MEMBER_TYPE.get(body, at),
                            kflag ? offset & 0xffffff : Integer.toUnsignedLong(offset),
                            0));
                }
                case ENUM -> {
                    int val = (int) ENUM_VAL.get(body, at);
                    // kind_flag marks a signed enum
                    list.add(new BtfType.Member(
                            name((int) ENUM_NAME_OFF.get(body, at)), 0, kflag ? val : Integer.toUnsignedLong(val), 0));
                }
                case ENUM64 ->
                    list.add(new BtfType.Member(
                            name((int) ENUM64_NAME_OFF.get(body, at)),
                            0,
                            Integer.toUnsignedLong((int) ENUM64_VAL_LO32.get(body, at))
                                    | ((long) (int) ENUM64_VAL_HI32.get(body, at) << 32),
                            0));
                case FUNC_PROTO ->
                    list.add(new BtfType.Member(
                            name((int) PARAM_NAME_OFF.get(body, at)), (int) PARAM_TYPE.get(body, at), i, 0));
                case DATASEC -> {
                    int type = (int) SECINFO_TYPE.get(body, at);
                    list.add(new BtfType.Member(
                            type(type).name(), type, Integer.toUnsignedLong((int) SECINFO_OFFSET.get(body, at)), (int)
                                    SECINFO_SIZE.get(body, at)));
                }
                default -> throw new IllegalStateException("no members for " + kind);
            }
        }
        return list;
    }

    private String name(int offset) {
        return Native.string(Native.btfNameByOffset(btf, offset)).orElse("");
    }

    private static VarHandle field(StructLayout struct, String name) {
        return struct.varHandle(PathElement.groupElement(name));
    }

    @Override
    public synchronized void close() {
        if (closed || !owned) {
            closed = true;
            return;
        }
        closed = true;
        Native.btfFree(btf);
    }
}
