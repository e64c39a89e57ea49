// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which program gets which function, before anything touches the kernel. */
class AttachPlanTest {

    /** 200 functions with the sk_buff at positions 1..5 in a fixed pattern. */
    static FunctionCatalog catalog(int n) {
        List<SkbFunction> functions = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int position = i % 7 < 4 ? 1 : 2 + i % 4; // mostly first, like the real kernel
            functions.add(new SkbFunction(String.format("fn_%04d", i), position, 5));
        }
        return new FunctionCatalog(functions, 0, 0, 0, List.of());
    }

    @Test
    void kprobeMultiGroupsEveryFunctionUnderTheProgramOfItsSkbPosition() {
        FunctionCatalog catalog = catalog(200);
        AttachPlan.KprobeMulti plan = (AttachPlan.KprobeMulti) AttachPlan.of(Backend.KPROBE_MULTI, catalog);

        assertEquals(Set.of(1, 2, 3, 4, 5), plan.byPosition().keySet());
        plan.byPosition()
                .forEach((position, targets) -> targets.forEach(t -> {
                    assertEquals(position, t.function().skbParam(), t.name());
                    assertEquals(
                            catalog.functions().get(t.index()), t.function(), "the index points back into the catalog");
                }));
        assertEquals(
                catalog.functions(),
                plan.targets().stream().map(AttachPlan.Target::function).toList(),
                "every function exactly once, in catalog order");
        assertEquals("ptm_skb3", AttachPlan.KprobeMulti.program(3));
        assertEquals(Backend.KPROBE_MULTI, plan.backend());
    }

    @Test
    void kprobeBatchesCoverEveryFunctionOnceAndPickTheProgramByPosition() {
        FunctionCatalog catalog = catalog(200);
        AttachPlan.Kprobe plan = (AttachPlan.Kprobe) AttachPlan.of(Backend.KPROBE, catalog);

        assertEquals(4, plan.batches().size(), "200 functions in batches of " + AttachPlan.KPROBE_BATCH);
        assertEquals(
                List.of(64, 64, 64, 8), plan.batches().stream().map(List::size).toList());
        Set<String> seen = new HashSet<>();
        plan.batches().forEach(b -> b.forEach(t -> assertTrue(seen.add(t.name()), "twice: " + t.name())));
        assertEquals(200, seen.size());
        AttachPlan.Target third = plan.batches().getFirst().get(4); // fn_0004: 4 % 7 = 4 -> position 2 + 0
        assertEquals("ptk_skb2", AttachPlan.Kprobe.program(third));
    }

    @Test
    void fentryFillsObjectsOfAtMostSixtyFourSlotsInCatalogOrder() {
        FunctionCatalog catalog = catalog(150);
        AttachPlan.Fentry plan = (AttachPlan.Fentry) AttachPlan.of(Backend.FENTRY, catalog);

        assertEquals(
                List.of(64, 64, 22), plan.objects().stream().map(List::size).toList());
        assertEquals("fn_0064", plan.objects().get(1).getFirst().name(), "slot 0 of the second object");
        assertEquals(
                "ptf_slot21", AttachPlan.Fentry.program(plan.objects().get(2).size() - 1));
        assertEquals(
                catalog.functions(),
                plan.targets().stream().map(AttachPlan.Target::function).toList());
        assertThrows(IllegalArgumentException.class, () -> new AttachPlan.Fentry(List.of(List.of())), "empty object");
    }

    @Test
    void cookiesCarryTheIndexTheSkbArgumentAndWhetherTheFunctionFreesTheSkb() {
        long cookie = FunctionCookie.of(41, new SkbFunction("ip_rcv", 1, 4));
        assertEquals(42, cookie >>> 32, "index + 1: 0 stays free for 'no cookie'");
        assertEquals(0, cookie & FunctionCookie.SKB_ARG_MASK, "first parameter is argument 0");
        assertEquals(0, cookie & FunctionCookie.FREES);
        assertEquals(41, FunctionCookie.indexOf(cookie >>> 32));

        long frees = FunctionCookie.of(0, new SkbFunction("kfree_skbmem", 1, 1));
        assertEquals(FunctionCookie.FREES, frees & FunctionCookie.FREES);
        long third = FunctionCookie.of(3, new SkbFunction("nf_queue", 3, 4));
        assertEquals(2, third & FunctionCookie.SKB_ARG_MASK);
        assertEquals(-1, FunctionCookie.indexOf(0), "probe_id 0: no index");
    }

    @Test
    void backendsThatProbeNoFunctionsHaveNoPlan() {
        assertThrows(IllegalArgumentException.class, () -> AttachPlan.of(Backend.TRACEPOINT, catalog(3)));
        assertThrows(IllegalArgumentException.class, () -> AttachPlan.of(Backend.AUTO, catalog(3)));
    }
}
