// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.lab;

import java.net.Inet4Address;
import java.net.InetAddress;

/** IPv4 or IPv6, with the netfilter front end and ping flag each needs. */
public enum IpFamily {
    V4("iptables", "-4"),
    V6("ip6tables", "-6");

    private final String iptables;
    private final String flag;

    IpFamily(String iptables, String flag) {
        this.iptables = iptables;
        this.flag = flag;
    }

    public static IpFamily of(InetAddress address) {
        return address instanceof Inet4Address ? V4 : V6;
    }

    String iptablesCommand() {
        return iptables;
    }

    String flag() {
        return flag;
    }
}
