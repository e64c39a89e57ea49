// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.bindings;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Consumes a BPF ring buffer map through libbpf. Records are handed to the handler as read-only,
 * little-endian ByteBuffers that view the ring buffer itself: they are valid only during the call,
 * and the space is released to the kernel when the handler returns.
 */
@SuppressWarnings("restricted") // see package-info
public final class RingBufferReader implements AutoCloseable {

    /** Receives one record on the thread that called {@link #poll}. */
    @FunctionalInterface
    public interface RecordHandler {
        void onRecord(ByteBuffer record);
    }

    private final Arena arena = Arena.ofShared();
    private final MemorySegment ringBuffer;
    private final RecordHandler handler;
    private final String mapName;
    private Throwable handlerFailure;
    private boolean closed;

    public RingBufferReader(BpfMap map, RecordHandler handler) {
        this.handler = handler;
        this.mapName = map.name();
        try {
            var target = MethodHandles.lookup()
                    .findVirtual(
                            RingBufferReader.class,
                            "onSample",
                            MethodType.methodType(int.class, MemorySegment.class, MemorySegment.class, long.class))
                    .bindTo(this);
            MemorySegment callback = Native.LINKER.upcallStub(
                    target, FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG), arena);
            MemorySegment capture = Native.captureSegment(arena);
            LibbpfLog.begin();
            MemorySegment rb =
                    Native.ringBufferNew(capture, map.fd(), callback, MemorySegment.NULL, MemorySegment.NULL);
            this.ringBuffer = Calls.checkPointer("ring_buffer__new(" + mapName + ")", rb, capture);
        } catch (Throwable t) {
            arena.close();
            throw Calls.rethrow(t);
        }
    }

    /**
     * Waits up to timeoutMillis for records and hands each to the handler. Returns how many were
     * handled. A handler exception stops the batch and is rethrown here.
     */
    public int poll(int timeoutMillis) {
        return afterBatch("ring_buffer__poll", Native.ringBufferPoll(ringBuffer, timeoutMillis));
    }

    /** Hands every record available now to the handler without waiting. */
    public int drain() {
        return afterBatch("ring_buffer__consume", Native.ringBufferConsume(ringBuffer));
    }

    private int afterBatch(String operation, int rc) {
        if (handlerFailure != null) {
            Throwable failure = handlerFailure;
            handlerFailure = null;
            if (failure instanceof RuntimeException r) {
                throw r;
            }
            if (failure instanceof Error e) {
                throw e;
            }
            throw new IllegalStateException("ring buffer handler failed", failure);
        }
        if (rc == -Errno.EINTR) {
            return 0;
        }
        return Calls.check(operation + "(" + mapName + ")", rc);
    }

    // Called by libbpf from inside ring_buffer__poll. Must never throw into native code.
    @SuppressWarnings("unused")
    private int onSample(MemorySegment context, MemorySegment data, long size) {
        try {
            ByteBuffer record =
                    data.reinterpret(size).asByteBuffer().asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
            handler.onRecord(record);
            return 0;
        } catch (Throwable t) {
            handlerFailure = t;
            return -1;
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        Calls.destroy(Native::ringBufferFree, ringBuffer, arena);
    }
}
