package dev.packettrace.tracer;

import dev.packettrace.kernel.KernelSymbols;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Symbolizes with /proc/kallsyms, read once per process in the background: reading ~200k symbols
 * takes longer than attaching, so it must not delay the first probe. The first event that needs a
 * name waits for it; when the symbols cannot be read (kptr_restrict), addresses stay hex and the
 * reason is logged once.
 */
final class KernelAddressSymbolizer implements AddressSymbolizer {

    private static final System.Logger LOG = System.getLogger(KernelAddressSymbolizer.class.getName());
    private static volatile KernelAddressSymbolizer shared;

    private final CompletableFuture<Optional<KernelSymbols>> symbols;

    private KernelAddressSymbolizer() {
        symbols = CompletableFuture.supplyAsync(() -> {
            try {
                return Optional.of(KernelSymbols.load());
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "symbols=unavailable reason=\"{0}\" effect=\"kernel addresses shown as hex\"",
                        e.getMessage());
                return Optional.empty();
            }
        }, runnable -> Thread.ofVirtual().name("kallsyms-loader").start(runnable));
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
            return symbols.join().flatMap(k -> k.symbolize(address));
        } catch (CompletionException e) {
            return Optional.empty();
        }
    }
}
