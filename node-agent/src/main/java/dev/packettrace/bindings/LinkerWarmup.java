package dev.packettrace.bindings;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;

/**
 * Gets the JVM's foreign-function machinery ready while the process does other start-up work. The first
 * downcall handles a JVM creates cost about a hundred milliseconds of class generation on a cold start,
 * which otherwise lands inside the time to attach. Only libc is touched here: a missing libbpf must still
 * be reported by the code that needs it, with its own message, not as a failed class initialisation.
 */
public final class LinkerWarmup {

    private LinkerWarmup() {
    }

    /** Starts the warm-up on a daemon thread and returns at once; failures are ignored (it is only a head start). */
    public static void startInBackground() {
        Thread.ofPlatform().daemon().name("ffm-warmup").start(LinkerWarmup::warmUp);
    }

    private static void warmUp() {
        try {
            Linker linker = Linker.nativeLinker();
            // the shapes the bindings use most: pointer/int/long arguments, int and pointer results
            for (FunctionDescriptor shape : new FunctionDescriptor[] {
                    FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS),
                    FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS),
                    FunctionDescriptor.of(JAVA_INT, ADDRESS),
                    FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT)}) {
                linker.downcallHandle(linker.defaultLookup().find("strlen").orElseThrow(), shape,
                        Linker.Option.captureCallState("errno"));
                linker.downcallHandle(linker.defaultLookup().find("strlen").orElseThrow(), shape);
            }
        } catch (RuntimeException | LinkageError e) {
            System.getLogger(LinkerWarmup.class.getName()).log(System.Logger.Level.DEBUG, "ffm warm-up failed: {0}", e.toString());
        }
    }
}
