// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import dev.packettrace.bindings.Btf;
import dev.packettrace.bindings.BtfKind;
import dev.packettrace.bindings.BtfType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Finds the functions of a kernel that take a {@code struct sk_buff *} among their first five
 * parameters, from its BTF: every FUNC type, its prototype, each parameter's type through typedefs
 * and qualifiers. Whether a function can actually be probed is a separate question
 * ({@link TraceableFunctions}); BTF also lists functions that were inlined everywhere.
 */
public final class FunctionDiscovery {

    private static final int MAX_MODIFIER_HOPS = 32;

    private final Btf btf;
    /** Per parameter type id: is it (a typedef or qualified form of) a pointer to struct sk_buff. */
    private final Map<Integer, Boolean> skbPointer = new HashMap<>();

    private FunctionDiscovery(Btf btf) {
        this.btf = btf;
    }

    /** The sk_buff functions of this BTF, sorted by name; a name BTF lists twice counts once (the first). */
    public static List<SkbFunction> discover(Btf btf) {
        return new FunctionDiscovery(btf).scan();
    }

    /** One function by name, if this BTF has it and it takes an sk_buff: a quick look, without the full scan. */
    public static Optional<SkbFunction> named(Btf btf, String name) {
        OptionalInt id = btf.find(name, BtfKind.FUNC);
        return id.isEmpty() ? Optional.empty() : new FunctionDiscovery(btf).skbFunction(btf.type(id.getAsInt()));
    }

    private List<SkbFunction> scan() {
        List<SkbFunction> found = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        int count = btf.typeCount();
        for (int id = 1; id < count; id++) {
            if (btf.kind(id) != BtfKind.FUNC) {
                continue;
            }
            BtfType func = btf.type(id);
            if (func.name().isEmpty() || !seen.add(func.name())) {
                continue;
            }
            skbFunction(func).ifPresent(found::add);
        }
        found.sort(Comparator.comparing(SkbFunction::name));
        return List.copyOf(found);
    }

    private Optional<SkbFunction> skbFunction(BtfType func) {
        BtfType proto = btf.type(func.sizeOrType());
        if (proto.kind() != BtfKind.FUNC_PROTO) {
            return Optional.empty();
        }
        List<BtfType.Member> params = proto.members();
        // a variadic prototype ends with an unnamed parameter of type void
        int paramCount = !params.isEmpty() && params.getLast().type() == 0 ? params.size() - 1 : params.size();
        for (int i = 0; i < Math.min(paramCount, SkbFunction.MAX_SKB_PARAM); i++) {
            if (isSkbPointer(params.get(i).type())) {
                return Optional.of(new SkbFunction(func.name(), i + 1, paramCount));
            }
        }
        return Optional.empty();
    }

    private boolean isSkbPointer(int typeId) {
        Boolean known = skbPointer.get(typeId);
        if (known != null) {
            return known;
        }
        int pointer = skipModifiers(typeId);
        boolean result = false;
        if (pointer != 0 && btf.kind(pointer) == BtfKind.PTR) {
            int target = skipModifiers(btf.type(pointer).sizeOrType());
            result = target != 0
                    && btf.kind(target) == BtfKind.STRUCT
                    && btf.typeName(target).equals("sk_buff");
        }
        skbPointer.put(typeId, result);
        return result;
    }

    /** Follows typedefs and qualifiers, reading only their headers (a struct's members are never copied). */
    private int skipModifiers(int id) {
        for (int hops = 0; id != 0 && btf.kind(id).isModifier() && hops < MAX_MODIFIER_HOPS; hops++) {
            id = btf.type(id).sizeOrType();
        }
        return id;
    }
}
