// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

/** Receives decoded events on the thread that calls {@link TracerSession#poll}. */
@FunctionalInterface
public interface TraceListener {
    void onEvent(PacketEvent event);
}
