// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** The L4 protocols the tracer filters on and names in its output, with their IPPROTO numbers. */
public enum L4Proto {
    ICMP(1, "icmp"),
    TCP(6, "tcp"),
    UDP(17, "udp"),
    ICMP6(58, "icmp6");

    private final int number;
    private final String flagName;

    L4Proto(int number, String flagName) {
        this.number = number;
        this.flagName = flagName;
    }

    public int number() {
        return number;
    }

    /** The name used on the command line and in output: tcp, udp, icmp, icmp6. */
    public String flagName() {
        return flagName;
    }

    public static Optional<L4Proto> ofNumber(int number) {
        return Arrays.stream(values()).filter(p -> p.number == number).findFirst();
    }

    public static Optional<L4Proto> ofName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(p -> p.flagName.equals(n)).findFirst();
    }
}
