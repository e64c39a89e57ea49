// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.cli;

import dev.packettrace.output.ClockOffset;
import dev.packettrace.output.SampleEvents;
import dev.packettrace.tracer.Backend;
import dev.packettrace.tracer.TraceStats;
import dev.packettrace.tracer.Tracer;
import dev.packettrace.tracer.TracerFactory;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Run in a child JVM by {@link SignalHandlingTest}: the real CLI entry with real signal handling, over a session
 * whose poll blocks for its timeout like the kernel one and delivers one event per poll.
 */
public final class SignalChild {

    public static void main(String[] args) {
        TracerFactory sessions = (config, listener) -> new Tracer() {
            private long polls;
            private volatile boolean closed;

            @Override
            public List<String> attachedProbes() {
                return List.of("skb:kfree_skb");
            }

            @Override
            public Backend backend() {
                return Backend.TRACEPOINT;
            }

            @Override
            public String backendReason() {
                return "child";
            }

            @Override
            public Duration attachTime() {
                return Duration.ZERO;
            }

            @Override
            public int poll(Duration timeout) {
                LockSupport.parkNanos(timeout.toNanos()); // stands in for epoll_wait in the kernel tracer
                listener.onEvent(SampleEvents.tcp(polls++));
                return 1;
            }

            @Override
            public TraceStats stats() {
                return new TraceStats(polls, 0);
            }

            @Override
            public void close() {
                closed = true;
                System.err.println("child: session closed");
            }
        };
        CliContext ctx = new CliContext(
                new FileOutputStream(FileDescriptor.out),
                System.err,
                sessions,
                System::nanoTime,
                () -> new ClockOffset(0, "child", 0),
                new NetnsResolver(),
                true);
        System.exit(PacketTraceCli.execute(ctx, args));
    }
}
