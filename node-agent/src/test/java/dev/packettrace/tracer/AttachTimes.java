// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Measures, per backend, how long attaching every discovered function and detaching them again takes on the
 * running kernel. A measurement, not a test: it prints one line per backend and asserts nothing, because
 * the figures depend on the machine (under QEMU's TCG emulation they are many times a real machine's).
 *
 * <pre>java -cp ... dev.packettrace.tracer.AttachTimes [backend ...]</pre>
 */
public final class AttachTimes {

    private AttachTimes() {}

    public static void main(String[] args) {
        List<Backend> backends = args.length == 0
                ? List.of(Backend.TRACEPOINT, Backend.KPROBE_MULTI, Backend.KPROBE, Backend.FENTRY)
                : java.util.Arrays.stream(args)
                        .map(a -> Backend.ofName(a).orElseThrow(() -> new IllegalArgumentException(a)))
                        .toList();
        TraceFilter quiet = TraceFilter.all().withNetns(Set.of(1L)); // matches nothing: no events, only attach cost
        long discoverStart = System.nanoTime();
        try (dev.packettrace.bindings.Btf kernel = dev.packettrace.bindings.Btf.loadVmlinux()) {
            List<SkbFunction> candidates = FunctionDiscovery.discover(kernel);
            FunctionCatalog catalog =
                    FunctionCatalog.select(candidates, TraceableFunctions.read(), FunctionFilter.all());
            System.out.printf(
                    Locale.ROOT,
                    "discovery btfFunctions=%d %s ms=%d%n",
                    candidates.size(),
                    catalog.describe(),
                    Duration.ofNanos(System.nanoTime() - discoverStart).toMillis());
        }
        for (Backend backend : backends) {
            long start = System.nanoTime();
            TracerSession session;
            try {
                session = TracerSession.start(
                        TracerConfig.of(quiet).withBackend(backend), e -> {}, AddressSymbolizer.none());
            } catch (TracerException e) {
                System.out.printf(
                        Locale.ROOT,
                        "backend=%s result=failed afterMs=%d reason=\"%s\"%n",
                        backend.flagName(),
                        Duration.ofNanos(System.nanoTime() - start).toMillis(),
                        e.getMessage().replace('\n', ' '));
                continue;
            }
            long attached = System.nanoTime();
            int probes = session.attachedProbes().size();
            int ignored = session.ignoredFunctions().size();
            int programs = session.kernelProgramIds().size();
            session.close();
            long closed = System.nanoTime();
            System.out.printf(
                    Locale.ROOT,
                    "backend=%s probes=%d ignored=%d programs=%d attachMs=%d detachMs=%d%n",
                    session.backend().flagName(),
                    probes,
                    ignored,
                    programs,
                    Duration.ofNanos(attached - start).toMillis(),
                    Duration.ofNanos(closed - attached).toMillis());
            if (ignored > 0) {
                System.out.println("  ignored: " + session.ignoredFunctions());
            }
            System.out.flush();
        }
    }
}
