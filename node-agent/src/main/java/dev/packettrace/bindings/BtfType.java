// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.bindings;

import java.util.List;

/**
 * One BTF type, copied out of libbpf's memory.
 *
 * @param sizeOrType for INT/STRUCT/UNION/ENUM/DATASEC the size in bytes; for PTR, TYPEDEF, modifiers,
 *                   FUNC, VAR the referenced type id (0 is void); for FUNC_PROTO the return type id
 * @param members    STRUCT/UNION members, ENUM values, FUNC_PROTO parameters or DATASEC variables
 */
public record BtfType(int id, BtfKind kind, String name, int sizeOrType, List<Member> members) {

    public BtfType {
        members = List.copyOf(members);
    }

    /**
     * @param name  member, enumerator or parameter name; for a DATASEC entry, the variable's name
     * @param type  the member's type id (0 for enumerators)
     * @param value enumerator value, member bit offset, or DATASEC variable offset in bytes
     * @param size  DATASEC variable size in bytes; 0 otherwise
     */
    public record Member(String name, int type, long value, int size) {}
}
