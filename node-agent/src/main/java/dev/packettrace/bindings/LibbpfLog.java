// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.bindings;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Routes libbpf's print callback into the Java logger ("libbpf") and remembers, per thread, what
 * libbpf said during the current call so that a failure can carry it (the verifier log included).
 *
 * <p>libbpf hands over a printf format and a va_list; vsnprintf, called back through FFM, formats it.
 * On x86-64 and arm64 Linux a va_list parameter arrives as a pointer, which is passed on as is.
 */
@SuppressWarnings("restricted") // see package-info
final class LibbpfLog {

    private static final System.Logger LOG = System.getLogger("libbpf");
    private static final int LEVEL_WARN = 0;
    private static final int LEVEL_INFO = 1;
    /** Bounded: a verifier log can be megabytes; the tail is where the rejection is explained. */
    private static final int MAX_CAPTURED_LINES = 200;

    private static final int FORMAT_BUFFER = 8192;

    private static final ThreadLocal<Deque<String>> CAPTURED = ThreadLocal.withInitial(ArrayDeque::new);
    private static final ThreadLocal<MemorySegment> BUFFER =
            ThreadLocal.withInitial(() -> Arena.global().allocate(FORMAT_BUFFER));

    /** Per thread: failures are expected and reported by the caller, so libbpf's warnings are only debug output. */
    private static final ThreadLocal<Boolean> QUIET = ThreadLocal.withInitial(() -> false);

    private static volatile boolean installed;

    private LibbpfLog() {}

    static synchronized void install() {
        if (installed) {
            return;
        }
        try {
            var handle = MethodHandles.lookup()
                    .findStatic(
                            LibbpfLog.class,
                            "print",
                            MethodType.methodType(int.class, int.class, MemorySegment.class, MemorySegment.class));
            MemorySegment stub = Native.LINKER.upcallStub(
                    handle, FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), Arena.global());
            Native.setPrint(stub);
            installed = true;
        } catch (Throwable t) {
            throw new IllegalStateException("could not install the libbpf print callback", t);
        }
    }

    /** Forgets what this thread captured so far; call before a libbpf operation. */
    static void begin() {
        CAPTURED.get().clear();
    }

    static boolean quiet() {
        return QUIET.get();
    }

    static void quiet(boolean on) {
        QUIET.set(on);
    }

    /** What libbpf said on this thread since {@link #begin()}. */
    static List<String> captured() {
        return new ArrayList<>(CAPTURED.get());
    }

    // Called by libbpf on the thread that made the libbpf call. Must never throw into native code.
    @SuppressWarnings("unused")
    private static int print(int level, MemorySegment format, MemorySegment vaList) {
        try {
            MemorySegment buffer = BUFFER.get();
            int n = Native.vsnprintf(buffer, FORMAT_BUFFER, format, vaList);
            if (n < 0) {
                return 0;
            }
            String text = buffer.getString(0).stripTrailing();
            Deque<String> captured = CAPTURED.get();
            for (String line : text.split("\n")) {
                if (captured.size() == MAX_CAPTURED_LINES) {
                    captured.removeFirst();
                }
                captured.addLast(line);
            }
            // libbpf's info level is chatty (every map and relocation): keep it out of a user's terminal
            System.Logger.Level javaLevel = level == LEVEL_WARN && !QUIET.get()
                    ? System.Logger.Level.WARNING
                    : level == LEVEL_WARN
                            ? System.Logger.Level.DEBUG
                            : level == LEVEL_INFO ? System.Logger.Level.DEBUG : System.Logger.Level.TRACE;
            if (LOG.isLoggable(javaLevel)) {
                LOG.log(javaLevel, text);
            }
            return n;
        } catch (Throwable t) {
            return 0;
        }
    }
}
