// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.lab;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One iptables/ip6tables rule to append: family, table, chain and the match/target arguments that follow
 * the chain name, e.g. {@code -p tcp --dport 9090 -j DROP}. A rule with no {@code -j} only counts packets.
 */
public record FirewallRule(IpFamily family, String table, String chain, List<String> arguments) {

    private static final Set<String> TABLES = Set.of("filter", "mangle", "nat", "raw", "security");
    private static final Pattern CHAIN = Pattern.compile("[A-Za-z0-9_-]{1,28}");

    public FirewallRule {
        if (!TABLES.contains(table)) {
            throw new IllegalArgumentException("firewall table '" + table + "' is not one of " + TABLES);
        }
        if (!CHAIN.matcher(chain).matches()) {
            throw new IllegalArgumentException("firewall chain '" + chain + "' must be 1-28 of [A-Za-z0-9_-]");
        }
        arguments = List.copyOf(arguments);
        for (String a : arguments) {
            if (a.isEmpty()) {
                throw new IllegalArgumentException("firewall rule arguments must not be empty strings: " + arguments);
            }
        }
    }

    /** Drops TCP segments to {@code port} arriving for this namespace (filter INPUT). */
    public static FirewallRule dropTcpInput(IpFamily family, int port) {
        return new FirewallRule(
                family,
                "filter",
                "INPUT",
                List.of("-p", "tcp", "--dport", Integer.toString(checkPort(port)), "-j", "DROP"));
    }

    /** Sets fwmark {@code mark} on every packet this namespace sends (mangle OUTPUT). */
    public static FirewallRule markOutput(IpFamily family, int mark) {
        return new FirewallRule(
                family, "mangle", "OUTPUT", List.of("-j", "MARK", "--set-mark", "0x" + Integer.toHexString(mark)));
    }

    /** Counts, without acting on, UDP datagrams to {@code port} arriving for this namespace (filter INPUT). */
    public static FirewallRule countUdpInput(IpFamily family, int port) {
        return new FirewallRule(
                family, "filter", "INPUT", List.of("-p", "udp", "--dport", Integer.toString(checkPort(port))));
    }

    static int checkPort(int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is outside 1..65535");
        }
        return port;
    }
}
