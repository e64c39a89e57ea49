// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.bindings;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandles;

/**
 * Creates the bindings' downcall handles while the process does other start-up work (flag parsing, the
 * preflight checks). On a cold JVM the forty handles cost about a hundred milliseconds of class
 * generation, which otherwise lands inside the time to attach (bench/RESULTS.md). Only when libbpf.so.1
 * can be loaded: a missing library must still be reported by the code that needs it, with its own message,
 * not as a class that failed to initialise on another thread.
 */
@SuppressWarnings("restricted") // see package-info
public final class LinkerWarmup {

    private LinkerWarmup() {}

    /** Starts the warm-up on a daemon thread and returns at once; failures are ignored (it is only a head start). */
    public static void startInBackground() {
        Thread.ofPlatform().daemon().name("ffm-warmup").start(LinkerWarmup::warmUp);
    }

    private static void warmUp() {
        try {
            if (libbpfLoads()) {
                MethodHandles.lookup().ensureInitialized(Native.class);
            }
        } catch (RuntimeException | LinkageError | IllegalAccessException e) {
            System.getLogger(LinkerWarmup.class.getName())
                    .log(System.Logger.Level.DEBUG, "ffm warm-up failed: {0}", e.toString());
        }
    }

    private static boolean libbpfLoads() {
        try (Arena arena = Arena.ofConfined()) {
            SymbolLookup.libraryLookup(Native.LIBBPF_SONAME, arena);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
