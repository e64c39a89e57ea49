// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import java.time.Duration;

/**
 * A process that attaches the tracer, prints the kernel ids of its programs and traces until it
 * is killed: the subject of the kill -9 cleanup tests. Arguments, both optional: the backend
 * (default auto) and a --filter-func expression.
 */
public final class TracingProcess {

    private TracingProcess() {}

    public static void main(String[] args) {
        TraceFilter filter = TraceFilter.all().withNetns(java.util.Set.of(1L)); // matches nothing: quiet
        Backend backend = args.length > 0 ? Backend.ofName(args[0]).orElseThrow() : Backend.AUTO;
        FunctionFilter functions = args.length > 1 ? FunctionFilter.of(args[1]) : FunctionFilter.all();
        TracerConfig config =
                new TracerConfig(filter, backend, false, TracerConfig.DEFAULT_RING_BUFFER_BYTES, false, functions);
        try (TracerSession session = TracerSession.start(config, e -> {}, AddressSymbolizer.none())) {
            System.out.println("ids="
                    + session.kernelProgramIds().stream()
                            .map(String::valueOf)
                            .reduce((a, b) -> a + "," + b)
                            .orElse(""));
            System.out.flush();
            while (true) {
                session.poll(Duration.ofMillis(500));
            }
        }
    }
}
