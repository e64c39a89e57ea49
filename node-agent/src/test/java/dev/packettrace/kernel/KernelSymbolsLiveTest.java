// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packettrace.testing.Privileged;
import dev.packettrace.tracer.TracerException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against this machine's /proc/kallsyms. */
@Tag("privileged")
class KernelSymbolsLiveTest {

    @Test
    void roundTripsNfHookSlow() {
        Privileged.requireRoot();
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        System.gc();
        long heapBefore = memory.getHeapMemoryUsage().getUsed();
        long start = System.nanoTime();
        KernelSymbols symbols = KernelSymbols.load();
        long loadMillis = (System.nanoTime() - start) / 1_000_000;
        System.gc();
        long heapAfter = memory.getHeapMemoryUsage().getUsed();

        long addr = symbols.addressOf("nf_hook_slow").orElseThrow(() -> new AssertionError("nf_hook_slow not found"));
        assertEquals(Optional.of("nf_hook_slow+0x10"), symbols.symbolize(addr + 0x10));
        assertEquals(Optional.of("nf_hook_slow+0x0"), symbols.symbolize(addr));
        assertTrue(symbols.size() > 10_000, "only " + symbols.size() + " text symbols");

        System.out.printf(
                "kallsyms: %d text symbols, loaded in %d ms, footprint %d bytes (%.1f MiB),"
                        + " heap delta after GC %d bytes%n",
                symbols.size(),
                loadMillis,
                symbols.footprintBytes(),
                symbols.footprintBytes() / 1048576.0,
                heapAfter - heapBefore);
    }

    /**
     * The kernel decides per reader whether to show addresses: a reader without CAP_SYSLOG gets zeros.
     * Capture what such a reader sees and check that it is reported as hidden, not as an empty table.
     */
    @Test
    void readerWithoutCapSyslogIsToldAddressesAreHidden(@TempDir Path dir) throws Exception {
        Privileged.requireRoot();
        Path seen = dir.resolve("kallsyms-without-syslog");
        Process p = new ProcessBuilder("capsh", "--drop=cap_syslog", "--", "-c", "exec cat /proc/kallsyms")
                .redirectOutput(seen.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "capsh did not finish");
        assertEquals(0, p.exitValue(), "capsh (package libcap2-bin) failed");
        assertTrue(Files.size(seen) > 0, "nothing read from /proc/kallsyms");

        TracerException e = assertThrows(TracerException.class, () -> KernelSymbols.load(seen));
        assertEquals(TracerException.Reason.PERMISSION, e.reason());
        assertTrue(e.getMessage().contains("every address is 0"), e.getMessage());
    }
}
