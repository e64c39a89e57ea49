// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.packettrace.bindings.BpfObject;
import dev.packettrace.bindings.Btf;
import dev.packettrace.bindings.BtfKind;
import dev.packettrace.bindings.BtfType;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The Java decoder and encoder agree byte for byte with the structs compiled into the BPF object:
 * the object's own BTF is the reference, so a change on one side only fails here, not in a trace.
 */
class EventLayoutTest {

    @Test
    void eventOffsetsMatchTheCompiledObject() throws Exception {
        try (BpfObject object = openObject()) {
            BtfType event = struct(object.btf(), "pt_event");
            assertEquals(EventDecoder.BASE_SIZE, event.sizeOrType(), "sizeof(struct pt_event)");
            Map<String, Integer> named = offsets(event);
            named.keySet().removeIf(n -> n.startsWith("_"));
            assertEquals(named, EventDecoder.FIELD_OFFSETS, "every field of struct pt_event, at the same offset");
        }
    }

    @Test
    void configOffsetsMatchTheCompiledObject() throws Exception {
        try (BpfObject object = openObject()) {
            BtfType config = struct(object.btf(), "pt_config");
            assertEquals(ConfigEncoder.SIZE, config.sizeOrType(), "sizeof(struct pt_config)");
            Map<String, Integer> named = offsets(config);
            named.keySet().removeIf(n -> n.startsWith("_"));
            assertEquals(named, ConfigEncoder.FIELD_OFFSETS);
            BtfType addr = struct(object.btf(), "pt_addr_filter");
            assertEquals(ConfigEncoder.ADDR_FAMILY, offsets(addr).get("family"));
            assertEquals(ConfigEncoder.ADDR_PREFIXLEN, offsets(addr).get("prefixlen"));
        }
    }

    static BpfObject openObject() throws Exception {
        try (InputStream in = TracerSession.class.getResourceAsStream(TracerSession.OBJECT_RESOURCE)) {
            assertNotNull(in, "BPF object on the test classpath");
            return BpfObject.open(in.readAllBytes(), "layout-test");
        }
    }

    static BtfType struct(Btf btf, String name) {
        return btf.type(btf.find(name, BtfKind.STRUCT).orElseThrow(() -> new AssertionError("no struct " + name)));
    }

    private static Map<String, Integer> offsets(BtfType struct) {
        return new HashMap<>(struct.members().stream()
                .collect(Collectors.toMap(BtfType.Member::name, m -> (int) (m.value() / 8))));
    }
}
