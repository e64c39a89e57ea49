// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.output;

import dev.packettrace.tracer.L4Proto;

/**
 * L4 protocol names by IPPROTO number, precomputed: Tuple.l4protoName searches the enum with a stream on every
 * call, which showed up at millions of events per second. Same names: tcp, udp, icmp, icmp6, else the number.
 */
final class ProtoNames {

    private static final String[] NAMES = new String[256];

    static {
        for (int i = 0; i < NAMES.length; i++) {
            NAMES[i] = Integer.toString(i);
        }
        for (L4Proto p : L4Proto.values()) {
            NAMES[p.number()] = p.flagName();
        }
    }

    private ProtoNames() {}

    static String of(int number) {
        return number >= 0 && number < NAMES.length ? NAMES[number] : Integer.toString(number);
    }
}
