// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import dev.packettrace.kernel.KernelSymbols;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Symbolizes with /proc/kallsyms, read once per process in the background once the probes are
 * attached: reading ~120k symbols takes about as long as attaching and would compete with it for
 * the CPU. The first event that needs a name waits for it; when the symbols cannot be read
 * (kptr_restrict), addresses stay hex and the reason is logged once.
 */
final class KernelAddressSymbolizer implements AddressSymbolizer {

    private static final System.Logger LOG = System.getLogger(KernelAddressSymbolizer.class.getName());
    private static volatile KernelAddressSymbolizer shared;

    private volatile CompletableFuture<Optional<KernelSymbols>> symbols;

    private KernelAddressSymbolizer() {}

    /** Starts reading the symbols in the background if that has not started yet. */
    synchronized CompletableFuture<Optional<KernelSymbols>> prefetch() {
        if (symbols != null) {
            return symbols;
        }
        symbols = CompletableFuture.supplyAsync(
                () -> {
                    try {
                        return Optional.of(KernelSymbols.load());
                    } catch (RuntimeException e) {
                        LOG.log(
                                System.Logger.Level.WARNING,
                                "symbols=unavailable reason=\"{0}\" effect=\"kernel addresses shown as hex\"",
                                e.getMessage());
                        return Optional.empty();
                    }
                },
                runnable -> Thread.ofVirtual().name("kallsyms-loader").start(runnable));
        return symbols;
    }

    /** The process-wide instance; the first call starts loading. */
    static KernelAddressSymbolizer shared() {
        KernelAddressSymbolizer s = shared;
        if (s == null) {
            synchronized (KernelAddressSymbolizer.class) {
                s = shared;
                if (s == null) {
                    s = new KernelAddressSymbolizer();
                    shared = s;
                }
            }
        }
        return s;
    }

    @Override
    public Optional<String> symbolize(long address) {
        try {
            CompletableFuture<Optional<KernelSymbols>> loading = symbols;
            return (loading != null ? loading : prefetch()).join().flatMap(k -> k.symbolize(address));
        } catch (CompletionException e) {
            return Optional.empty();
        }
    }
}
