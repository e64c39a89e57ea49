package dev.packettrace.tracer;

import java.time.Duration;

/**
 * A process that attaches the tracer, prints the kernel ids of its programs and traces until it
 * is killed: the subject of the kill -9 cleanup test.
 */
public final class TracingProcess {

    private TracingProcess() {
    }

    public static void main(String[] args) {
        TraceFilter filter = TraceFilter.all().withNetns(java.util.Set.of(1L)); // matches nothing: quiet
        try (TracerSession session = TracerSession.start(TracerConfig.of(filter), e -> { }, AddressSymbolizer.none())) {
            System.out.println("ids=" + session.kernelProgramIds().stream().map(String::valueOf)
                    .reduce((a, b) -> a + "," + b).orElse(""));
            System.out.flush();
            while (true) {
                session.poll(Duration.ofMillis(500));
            }
        }
    }
}
