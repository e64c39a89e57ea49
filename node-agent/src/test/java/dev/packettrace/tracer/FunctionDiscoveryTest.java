// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packettrace.bindings.Btf;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Function discovery on the running kernel's real BTF, checked against well-known networking functions and
 * against an independent reading of the same BTF through bpftool's text dump.
 */
class FunctionDiscoveryTest {

    private static List<SkbFunction> discovered;
    private static Map<String, SkbFunction> byName;

    @BeforeAll
    static void discover() {
        try (Btf kernel = Btf.loadVmlinux()) {
            discovered = FunctionDiscovery.discover(kernel);
        }
        byName = discovered.stream().collect(Collectors.toMap(SkbFunction::name, f -> f));
    }

    @Test
    void findsTheReceivePathNetfilterAndTheDropFunctionWithTheirSkbPositions() {
        assertEquals(1, position("ip_rcv"), "int ip_rcv(struct sk_buff *skb, struct net_device *dev, ...)");
        assertEquals(
                1, position("nf_hook_slow"), "int nf_hook_slow(struct sk_buff *skb, struct nf_hook_state *state, ...)");
        assertEquals(1, position("__netif_receive_skb"), "int __netif_receive_skb(struct sk_buff *skb)");
        // Since 6.11 kfree_skb_reason is an inline wrapper of sk_skb_reason_drop(struct sock *sk, struct sk_buff *skb,
        // reason)
        Optional<SkbFunction> drop = Optional.ofNullable(byName.get("sk_skb_reason_drop"))
                .or(() -> Optional.ofNullable(byName.get("kfree_skb_reason")));
        assertTrue(drop.isPresent(), "the drop function of this kernel");
        assertEquals(
                drop.get().name().equals("sk_skb_reason_drop") ? 2 : 1,
                drop.get().skbParam(),
                drop.get().toString());
    }

    @Test
    void skipsFunctionsWhoseSkbIsBeyondTheFifthParameterOrBehindAPointerToPointer() {
        // int __netif_receive_skb_core(struct sk_buff **pskb, bool pfmemalloc, struct packet_type **ppt_prev)
        assertFalse(byName.containsKey("__netif_receive_skb_core"), "struct sk_buff ** is not an sk_buff");
        assertTrue(discovered.stream()
                .allMatch(f -> f.skbParam() >= 1 && f.skbParam() <= 5 && f.skbParam() <= f.paramCount()));
        assertEquals(discovered.size(), byName.size(), "each name once");
    }

    @Test
    void agreesWithBpftoolsDumpOfTheSameBtf() throws Exception {
        Map<String, Integer> expected = bpftoolSkbFunctions();
        assertTrue(expected.size() > 500, "bpftool sees many sk_buff functions: " + expected.size());
        Map<String, Integer> actual =
                discovered.stream().collect(Collectors.toMap(SkbFunction::name, SkbFunction::skbParam));
        Set<String> missing =
                expected.keySet().stream().filter(n -> !actual.containsKey(n)).collect(Collectors.toSet());
        Set<String> extra =
                actual.keySet().stream().filter(n -> !expected.containsKey(n)).collect(Collectors.toSet());
        assertTrue(missing.isEmpty() && extra.isEmpty(), "missing " + missing + ", extra " + extra);
        assertEquals(expected, actual, "same sk_buff position for every function");
    }

    private static int position(String function) {
        SkbFunction f = byName.get(function);
        assertTrue(f != null, function + " discovered among " + discovered.size() + " functions");
        return f.skbParam();
    }

    /**
     * An independent reading: bpftool's raw dump, parsed here, following typedefs and qualifiers from each
     * FUNC's prototype to struct sk_buff.
     */
    private static Map<String, Integer> bpftoolSkbFunctions() throws Exception {
        Process p = new ProcessBuilder("bpftool", "btf", "dump", "file", "/sys/kernel/btf/vmlinux")
                .redirectErrorStream(true)
                .start();
        Pattern header = Pattern.compile("^\\[(\\d+)\\] (\\w+) '([^']*)'(?: type_id=(\\d+))?.*");
        Pattern param = Pattern.compile("^\\s+'([^']*)' type_id=(\\d+)");
        Map<Integer, String> kinds = new HashMap<>();
        Map<Integer, String> names = new HashMap<>();
        Map<Integer, Integer> refs = new HashMap<>();
        Map<Integer, List<Integer>> params = new HashMap<>();
        Map<String, Integer> funcs = new LinkedHashMap<>();
        int current = -1;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                Matcher h = header.matcher(line);
                if (h.matches()) {
                    current = Integer.parseInt(h.group(1));
                    kinds.put(current, h.group(2));
                    names.put(current, h.group(3));
                    if (h.group(4) != null) {
                        refs.put(current, Integer.parseInt(h.group(4)));
                    }
                    if (h.group(2).equals("FUNC")) {
                        funcs.putIfAbsent(h.group(3), current);
                    }
                    continue;
                }
                Matcher m = param.matcher(line);
                if (m.find() && "FUNC_PROTO".equals(kinds.get(current))) {
                    params.computeIfAbsent(current, k -> new ArrayList<>()).add(Integer.parseInt(m.group(2)));
                }
            }
        }
        assertEquals(0, p.waitFor(), "bpftool btf dump");
        Set<String> modifiers = Set.of("TYPEDEF", "CONST", "VOLATILE", "RESTRICT", "TYPE_TAG");
        Map<String, Integer> result = new HashMap<>();
        funcs.forEach((name, id) -> {
            List<Integer> ps = params.getOrDefault(refs.get(id), List.of());
            for (int i = 0; i < Math.min(5, ps.size()); i++) {
                int t = ps.get(i);
                while (t != 0 && modifiers.contains(kinds.get(t))) {
                    t = refs.get(t);
                }
                if (t == 0 || !"PTR".equals(kinds.get(t))) {
                    continue;
                }
                int target = refs.get(t);
                while (target != 0 && modifiers.contains(kinds.get(target))) {
                    target = refs.get(target);
                }
                if (target != 0 && "STRUCT".equals(kinds.get(target)) && "sk_buff".equals(names.get(target))) {
                    result.put(name, i + 1);
                    break;
                }
            }
        });
        return result;
    }
}
