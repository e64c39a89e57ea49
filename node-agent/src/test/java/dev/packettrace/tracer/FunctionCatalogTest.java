// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Narrowing the discovered functions to what the kernel can probe and what --filter-func asks for. */
class FunctionCatalogTest {

    private static final List<SkbFunction> CANDIDATES = List.of(
            new SkbFunction("ip_rcv", 1, 4),
            new SkbFunction("ip_rcv_core", 1, 2),
            new SkbFunction("inlined_helper", 1, 1),
            new SkbFunction("kprobe_blacklisted", 2, 2),
            new SkbFunction("nf_hook_slow", 1, 4),
            new SkbFunction("tcp_v4_rcv", 1, 1));

    @Test
    void keepsWhatMatchesAndIsTraceableAndCountsEachExclusion() {
        TraceableFunctions traceable = new TraceableFunctions(
                Optional.of(Set.of("ip_rcv", "ip_rcv_core", "kprobe_blacklisted", "nf_hook_slow", "tcp_v4_rcv")),
                Set.of("kprobe_blacklisted"),
                List.of());
        FunctionCatalog catalog =
                FunctionCatalog.select(CANDIDATES, traceable, FunctionFilter.of("ip_.*|nf_.*|inlined_.*|kprobe_.*"));

        assertEquals(List.of("ip_rcv", "ip_rcv_core", "nf_hook_slow"), catalog.names());
        assertEquals(1, catalog.filteredOut(), "tcp_v4_rcv");
        assertEquals(1, catalog.notTraceable(), "inlined_helper");
        assertEquals(1, catalog.blacklisted(), "kprobe_blacklisted");
        assertEquals(Optional.of(new SkbFunction("nf_hook_slow", 1, 4)), catalog.byIndex(2));
        assertEquals(Optional.empty(), catalog.byIndex(3));
    }

    @Test
    void withoutAvailableFilterFunctionsNothingIsExcludedAsUntraceableAndTheNoteSaysSo() {
        TraceableFunctions unknown = new TraceableFunctions(Optional.empty(), Set.of(), List.of("cannot read it"));
        FunctionCatalog catalog = FunctionCatalog.select(CANDIDATES, unknown, FunctionFilter.all());
        assertEquals(CANDIDATES.size(), catalog.functions().size());
        assertEquals(List.of("cannot read it"), catalog.notes());
    }

    @Test
    void aFilterThatMatchesNothingIsAnInputErrorNamingTheFlag() {
        TraceableFunctions all = new TraceableFunctions(Optional.empty(), Set.of(), List.of());
        TracerException e = assertThrows(
                TracerException.class, () -> FunctionCatalog.select(CANDIDATES, all, FunctionFilter.of("ip_rcv_")));
        assertEquals(TracerException.Reason.INPUT, e.reason());
        assertTrue(
                e.getMessage().contains("--filter-func 'ip_rcv_'")
                        && e.getMessage().contains("whole name"),
                e.getMessage());
    }

    @Test
    void parsesTracefsAndDebugfsListsAsTheKernelWritesThem() {
        Set<String> available = TraceableFunctions.parseAvailable(
                Stream.of("ip_rcv", "nf_hook_slow", "nf_conntrack_in [nf_conntrack]", "dup_name", "dup_name", ""));
        assertEquals(Set.of("ip_rcv", "nf_hook_slow", "nf_conntrack_in", "dup_name"), available);

        Set<String> blacklist = TraceableFunctions.parseBlacklist(Stream.of(
                "0xffffffff81e00000-0xffffffff81e00010\tdo_int3",
                "0x0000000000000000-0x0000000000000000\tnotify_die",
                "0xffffffffc0a01000-0xffffffffc0a01100\tsome_fn [some_module]",
                "garbage"));
        assertEquals(Set.of("do_int3", "notify_die", "some_fn"), blacklist);
    }

    @Test
    void readsTheFirstReadableListAndSaysWhatItCouldNotRead(@TempDir Path dir) throws IOException {
        Path missing = dir.resolve("tracing/available_filter_functions");
        Path debugfs = dir.resolve("debug/available_filter_functions");
        Files.createDirectories(debugfs.getParent());
        Files.writeString(debugfs, "ip_rcv\nnf_hook_slow\n");
        TraceableFunctions t = TraceableFunctions.read(List.of(missing, debugfs), dir.resolve("no-blacklist"));
        assertEquals(Optional.of(Set.of("ip_rcv", "nf_hook_slow")), t.available());
        assertEquals(1, t.notes().size(), t.notes().toString());
        assertTrue(
                t.notes().getFirst().contains("kprobe blacklist")
                        && t.notes().getFirst().contains("missing"),
                t.notes().toString());

        TraceableFunctions none = TraceableFunctions.read(List.of(missing), dir.resolve("no-blacklist"));
        assertEquals(Optional.empty(), none.available());
        assertTrue(
                none.notes().getFirst().contains(missing + ": missing"),
                none.notes().toString());
    }
}
