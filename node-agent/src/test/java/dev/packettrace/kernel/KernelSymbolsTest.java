// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packettrace.tracer.TracerException;
import java.io.IOException;
import java.io.StringReader;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Parsing and lookup against synthetic kallsyms text. */
class KernelSymbolsTest {

    // Deliberately out of order, with data symbols, aliases, a weak symbol and module symbols, as the real file has.
    private static final String KALLSYMS = """
            ffffffff81000000 T _stext
            ffffffff81000000 t startup_alias
            ffffffff81001000 T do_one
            ffffffff81001080 W weak_thing
            ffffffff82000000 D some_data
            ffffffff81002000 t local_two
            ffffffffc0a00000 t nft_do_chain\t[nf_tables]
            ffffffffc0a00400 T nft_register\t[nf_tables]
            ffffffffc0b00000 t dup\t[veth]
            ffffffff81003000 t dup
            ffffffff81004000 r some_rodata
            """;

    private static KernelSymbols symbols() throws IOException {
        return KernelSymbols.parse(new StringReader(KALLSYMS), "test");
    }

    @Test
    void keepsOnlyTextSymbols() throws IOException {
        KernelSymbols s = symbols();
        assertEquals(9, s.size());
        assertEquals(OptionalLong.empty(), s.addressOf("some_data"));
        assertEquals(OptionalLong.empty(), s.addressOf("some_rodata"));
    }

    @Test
    void exactAddressHasOffsetZero() throws IOException {
        assertEquals(Optional.of("do_one+0x0"), symbols().symbolize(0xffffffff81001000L));
    }

    @Test
    void addressInsideAFunctionGetsItsOffset() throws IOException {
        KernelSymbols s = symbols();
        assertEquals(Optional.of("do_one+0x7f"), s.symbolize(0xffffffff8100107fL));
        assertEquals(Optional.of("weak_thing+0x10"), s.symbolize(0xffffffff81001090L));
        assertEquals(Optional.of("local_two+0xfff"), s.symbolize(0xffffffff81002fffL));
    }

    @Test
    void addressBelowTheFirstSymbolHasNoName() throws IOException {
        KernelSymbols s = symbols();
        assertEquals(Optional.empty(), s.symbolize(0xffffffff80ffffffL));
        assertEquals(Optional.empty(), s.symbolize(0L));
        assertEquals(Optional.empty(), s.symbolize(0x1000L));
    }

    @Test
    void moduleSymbolsNameTheirModule() throws IOException {
        KernelSymbols s = symbols();
        assertEquals(Optional.of("nft_do_chain+0x24 [nf_tables]"), s.symbolize(0xffffffffc0a00024L));
        assertEquals(Optional.of("nft_register+0x0 [nf_tables]"), s.symbolize(0xffffffffc0a00400L));
        assertEquals(Optional.of("dup+0x8 [veth]"), s.symbolize(0xffffffffc0b00008L));
        assertEquals(OptionalLong.of(0xffffffffc0a00400L), s.addressOf("nft_register"));
    }

    @Test
    void aliasesPreferTheGlobalSymbol() throws IOException {
        assertEquals(Optional.of("_stext+0x4"), symbols().symbolize(0xffffffff81000004L));
        assertEquals(OptionalLong.of(0xffffffff81000000L), symbols().addressOf("startup_alias"));
    }

    @Test
    void duplicateNamesResolveToTheLowestAddress() throws IOException {
        assertEquals(OptionalLong.of(0xffffffff81003000L), symbols().addressOf("dup"));
    }

    @Test
    void addressOfRoundTripsThroughSymbolize() throws IOException {
        KernelSymbols s = symbols();
        for (String name : new String[] {"do_one", "weak_thing", "local_two", "nft_do_chain"}) {
            long addr = s.addressOf(name).orElseThrow();
            assertTrue(s.symbolize(addr + 3).orElseThrow().startsWith(name + "+0x3"), name);
        }
        assertEquals(OptionalLong.empty(), s.addressOf("no_such_function"));
        assertEquals(OptionalLong.empty(), s.addressOf("do_on"));
        assertEquals(OptionalLong.empty(), s.addressOf("\u4e2d"));
    }

    @Test
    void allZeroAddressesAreReportedAsHiddenByKptrRestrict() {
        String hidden = """
                0000000000000000 T _stext
                0000000000000000 t do_one
                0000000000000000 D data
                """;
        TracerException e = assertThrows(
                TracerException.class, () -> KernelSymbols.parse(new StringReader(hidden), "hidden-kallsyms"));
        assertEquals(TracerException.Reason.PERMISSION, e.reason());
        assertTrue(e.getMessage().contains("every address is 0"), e.getMessage());
        assertTrue(e.getMessage().contains("kptr_restrict"), e.getMessage());
        assertTrue(e.getMessage().contains("CAP_SYSLOG"), e.getMessage());
    }

    @Test
    void malformedLinesNameTheLine() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> KernelSymbols.parse(new StringReader("ffffffff81000000 T a\nzzzz T b\n"), "bad"));
        assertTrue(e.getMessage().startsWith("bad:2:"), e.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> KernelSymbols.parse(new StringReader("ffffffff81000000 T a\tnf_tables\n"), "bad"));
        assertThrows(
                IllegalArgumentException.class,
                () -> KernelSymbols.parse(new StringReader("ffffffff81000000 D only_data\n"), "bad"));
    }

    @Test
    void sortsLargeUnorderedInput() throws IOException {
        StringBuilder sb = new StringBuilder();
        int n = 5000;
        for (int i = n - 1; i >= 0; i--) {
            // Reverse order and interleaved names force both sorts through their merge paths.
            sb.append(String.format("%016x t f%05d%n", 0xffffffff81000000L + 0x100L * ((i * 7919L) % n), i));
        }
        KernelSymbols s = KernelSymbols.parse(new StringReader(sb.toString()), "big");
        assertEquals(n, s.size());
        for (int i = 0; i < n; i += 97) {
            long addr = 0xffffffff81000000L + 0x100L * ((i * 7919L) % n);
            assertEquals(OptionalLong.of(addr), s.addressOf(String.format("f%05d", i)));
            assertEquals(Optional.of(String.format("f%05d+0x20", i)), s.symbolize(addr + 0x20));
        }
    }
}
