// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.bindings;

/** BTF type kinds, numbered as in the kernel's uapi btf.h. */
public enum BtfKind {
    UNKNOWN,
    INT,
    PTR,
    ARRAY,
    STRUCT,
    UNION,
    ENUM,
    FWD,
    TYPEDEF,
    VOLATILE,
    CONST,
    RESTRICT,
    FUNC,
    FUNC_PROTO,
    VAR,
    DATASEC,
    FLOAT,
    DECL_TAG,
    TYPE_TAG,
    ENUM64;

    static BtfKind of(int number) {
        BtfKind[] all = values();
        return number >= 0 && number < all.length ? all[number] : UNKNOWN;
    }

    int number() {
        return ordinal();
    }

    /** Kinds that only qualify or rename another type. */
    public boolean isModifier() {
        return this == TYPEDEF || this == VOLATILE || this == CONST || this == RESTRICT || this == TYPE_TAG;
    }
}
