// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import dev.packettrace.bindings.BpfMap;
import dev.packettrace.bindings.BpfObject;
import dev.packettrace.bindings.BtfKind;
import dev.packettrace.bindings.BtfType;
import java.util.Map;

/**
 * Writes load-time constants (const volatile globals) into an opened object's .rodata before it is loaded.
 * Variables are found by name in the object's BTF, so their offsets come from the compiler, and a size
 * that differs from what Java encodes is an error rather than a silent misreading.
 */
final class Rodata {

    private Rodata() {}

    static void write(BpfObject object, Map<String, byte[]> variables) {
        BpfMap rodata = object.map(".rodata")
                .orElseThrow(() -> new IllegalStateException("BPF object " + object.name() + " has no .rodata map"));
        var btf = object.btf();
        BtfType section = btf.find(".rodata", BtfKind.DATASEC).stream()
                .mapToObj(btf::type)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException(
                        "BPF object " + object.name() + " has no .rodata section in its BTF"));
        byte[] data = rodata.initialValue();
        variables.forEach((name, bytes) -> {
            BtfType.Member variable = section.members().stream()
                    .filter(m -> m.name().equals(name))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException(
                            "BPF object " + object.name() + " has no " + name + " in .rodata"));
            if (variable.size() != bytes.length) {
                throw new IllegalStateException(name + " is " + variable.size() + " bytes in the BPF object but "
                        + bytes.length + " in Java: rebuild both from the same sources");
            }
            System.arraycopy(bytes, 0, data, (int) variable.value(), bytes.length);
        });
        rodata.setInitialValue(data);
    }
}
