// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packettrace.bindings.BpfObject;
import dev.packettrace.bindings.BpfProgram;
import dev.packettrace.bindings.Btf;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Discovery from the running kernel's BTF, checked against the kernel itself (bpftool's view of it). */
class KernelBtfTest {

    @Test
    void dropReasonNamesMatchBpftoolsDumpOfTheSameKernel() throws Exception {
        Map<Long, String> expected = bpftoolEnum("skb_drop_reason");
        assertTrue(expected.size() > 10, "bpftool lists skb_drop_reason values: " + expected.size());
        try (Btf kernel = Btf.loadVmlinux()) {
            DropReasons reasons = DropReasons.fromKernel(kernel);
            assertEquals(expected.size(), reasons.size());
            expected.forEach(
                    (value, name) -> assertEquals(name.replaceFirst("^SKB_DROP_REASON_", ""), reasons.name(value)));
        }
    }

    @Test
    void catalogFindsTheObjectsTracepointsAndTheirArguments() throws Exception {
        try (BpfObject object = EventLayoutTest.openObject();
                Btf kernel = Btf.loadVmlinux()) {
            List<String> programs =
                    object.programs().stream().map(BpfProgram::name).toList();
            TracepointCatalog catalog = TracepointCatalog.discover(programs, kernel);

            TracepointProbe kfree = catalog.available().stream()
                    .filter(p -> p.event().equals("kfree_skb"))
                    .findFirst()
                    .orElseThrow();
            assertEquals("skb:kfree_skb", kfree.displayName());
            // TP_PROTO(struct sk_buff *skb, void *location, enum skb_drop_reason reason, ...) since 5.17
            assertEquals(OptionalInt.of(0), kfree.skbArg());
            assertEquals(OptionalInt.of(1), kfree.locationArg());
            assertEquals(OptionalInt.of(2), kfree.reasonArg());
            assertTrue(kfree.reportsDrops() && kfree.freesSkb());

            TracepointProbe reset = catalog.available().stream()
                    .filter(p -> p.event().equals("tcp_receive_reset"))
                    .findFirst()
                    .orElseThrow();
            assertTrue(reset.skbArg().isEmpty(), "tcp_receive_reset carries only the socket");
            assertEquals(OptionalInt.of(0), reset.sockArg());

            TracepointProbe retransmit = catalog.available().stream()
                    .filter(p -> p.event().equals("tcp_retransmit_skb"))
                    .findFirst()
                    .orElseThrow();
            assertEquals(OptionalInt.of(0), retransmit.sockArg());
            assertEquals(OptionalInt.of(1), retransmit.skbArg());

            assertEquals(
                    programs.size(),
                    catalog.available().size() + catalog.unavailable().size(),
                    "every program is either available or explained");
            assertFalse(catalog.available().isEmpty());
        }
    }

    @Test
    void tracepointsMissingFromTheKernelAreReportedNotAttached() throws Exception {
        try (Btf kernel = Btf.loadVmlinux()) {
            TracepointCatalog catalog =
                    TracepointCatalog.discover(List.of("pt3_net__no_such_tracepoint", "helper_function"), kernel);
            assertTrue(catalog.available().isEmpty());
            assertEquals(Map.of("net:no_such_tracepoint", "not in this kernel"), catalog.unavailable());
        }
    }

    /** Parses `bpftool btf dump file /sys/kernel/btf/vmlinux` for one enum's values. */
    private static Map<Long, String> bpftoolEnum(String name) throws Exception {
        Process p = new ProcessBuilder("bpftool", "btf", "dump", "file", "/sys/kernel/btf/vmlinux")
                .redirectErrorStream(true)
                .start();
        Map<Long, String> values = new HashMap<>();
        Pattern header = Pattern.compile("^\\[\\d+\\] ENUM(64)? '" + Pattern.quote(name) + "' .*");
        Pattern value = Pattern.compile("^\\s+'([A-Z0-9_]+)' val=(-?\\d+)");
        boolean inside = false;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("[")) {
                    inside = header.matcher(line).matches();
                    continue;
                }
                Matcher m = value.matcher(line);
                if (inside && m.find()) {
                    values.putIfAbsent(Long.parseLong(m.group(2)), m.group(1));
                }
            }
        }
        assertEquals(0, p.waitFor(), "bpftool btf dump");
        return values;
    }
}
