// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packettrace.bindings.BpfObject;
import dev.packettrace.bindings.BpfProgram;
import dev.packettrace.bindings.BtfKind;
import dev.packettrace.bindings.BtfType;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The Java attach plans and the compiled bpf/skb_functions.bpf.c agree on programs, slots, cookies and maps. */
class FunctionObjectLayoutTest {

    @Test
    void programsAreTheOnesThePlansName() {
        try (BpfObject object =
                BpfObject.open(TracerSession.readObject(FunctionObjects.OBJECT_RESOURCE), "layout-test")) {
            Map<String, String> sections =
                    object.programs().stream().collect(Collectors.toMap(BpfProgram::name, BpfProgram::section));
            Set<String> expected = new HashSet<>();
            for (int position = 1; position <= SkbFunction.MAX_SKB_PARAM; position++) {
                assertEquals("kprobe", sections.get(AttachPlan.Kprobe.program(target(position))), "ptk_skb" + position);
                assertEquals("kprobe.multi", sections.get(AttachPlan.KprobeMulti.program(position)));
                expected.add(AttachPlan.Kprobe.program(target(position)));
                expected.add(AttachPlan.KprobeMulti.program(position));
            }
            for (int slot = 0; slot < AttachPlan.FENTRY_SLOTS_PER_OBJECT; slot++) {
                assertEquals("fentry", sections.get(AttachPlan.Fentry.program(slot)), "slot " + slot);
                expected.add(AttachPlan.Fentry.program(slot));
            }
            assertEquals(expected, sections.keySet(), "no other programs");
        }
    }

    @Test
    void rodataAndMapsMatchWhatJavaWritesAndShares() throws Exception {
        try (BpfObject functions =
                        BpfObject.open(TracerSession.readObject(FunctionObjects.OBJECT_RESOURCE), "layout-test");
                BpfObject tracepoints = EventLayoutTest.openObject()) {
            BtfType rodata = functions
                    .btf()
                    .type(functions.btf().find(".rodata", BtfKind.DATASEC).orElseThrow());
            Map<String, Integer> sizes =
                    rodata.members().stream().collect(Collectors.toMap(BtfType.Member::name, BtfType.Member::size));
            assertEquals(ConfigEncoder.SIZE, sizes.get("pt_cfg"), "the same struct pt_config as the tracepoints");
            assertEquals(
                    8 * AttachPlan.FENTRY_SLOTS_PER_OBJECT, sizes.get("pt_fentry_cookie"), "one u64 cookie per slot");
            assertEquals(
                    EventLayoutTest.struct(tracepoints.btf(), "pt_config").sizeOrType(),
                    EventLayoutTest.struct(functions.btf(), "pt_config").sizeOrType());
            for (String map : FunctionObjects.SHARED_MAPS) {
                assertTrue(
                        functions.map(map).isPresent() && tracepoints.map(map).isPresent(), map + " in both objects");
            }
        }
    }

    private static AttachPlan.Target target(int position) {
        return new AttachPlan.Target(0, new SkbFunction("f", position, 5));
    }
}
