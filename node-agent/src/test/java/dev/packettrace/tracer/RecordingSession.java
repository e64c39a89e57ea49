// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** A session plus the events it delivered, polled on the test thread until an expected event shows up. */
record RecordingSession(TracerSession session, List<PacketEvent> events, Duration deadline) implements AutoCloseable {

    static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(10);

    static RecordingSession start(TracerConfig config, AddressSymbolizer symbols, Duration deadline) {
        List<PacketEvent> events = new CopyOnWriteArrayList<>();
        return new RecordingSession(TracerSession.start(config, events::add, symbols), events, deadline);
    }

    static RecordingSession start(TraceFilter filter, boolean stack, AddressSymbolizer symbols) {
        return start(
                new TracerConfig(filter, Backend.AUTO, stack, TracerConfig.DEFAULT_RING_BUFFER_BYTES),
                symbols,
                DEFAULT_DEADLINE);
    }

    PacketEvent awaitEvent(Predicate<PacketEvent> wanted) {
        long end = System.nanoTime() + deadline.toNanos();
        while (System.nanoTime() < end) {
            Optional<PacketEvent> found = events.stream().filter(wanted).findFirst();
            if (found.isPresent()) {
                return found.get();
            }
            session.poll(Duration.ofMillis(100));
        }
        return fail("no matching event within " + deadline + "; saw " + events.size() + " events: "
                + events.stream().limit(20).toList());
    }

    @Override
    public void close() {
        session.close();
    }
}
