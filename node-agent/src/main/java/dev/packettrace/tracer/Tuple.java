// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import java.net.InetAddress;

/** The L3/L4 tuple of a packet. Ports are 0 for protocols without ports. */
public record Tuple(InetAddress saddr, InetAddress daddr, int sport, int dport, int l4proto) {

    /** tcp, udp, icmp, icmp6, or the protocol number for anything else. */
    public String l4protoName() {
        return L4Proto.ofNumber(l4proto).map(L4Proto::flagName).orElse(Integer.toString(l4proto));
    }
}
