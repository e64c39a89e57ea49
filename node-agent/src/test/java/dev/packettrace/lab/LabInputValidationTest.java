// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Input checks that need no kernel: lab names, address ranges, firewall rules. */
class LabInputValidationTest {

    @Test
    void labNamesRoundTripAndForeignNamesAreNotLabs() {
        LabName n = LabName.parse("pt-12345-a1b2-left").orElseThrow();
        assertEquals(new LabName(12345, "a1b2", "left"), n);
        assertEquals("pt-12345-a1b2-left", n.namespaceName());
        assertEquals(Optional.empty(), LabName.parse("pt-12345-left"));
        assertEquals(Optional.empty(), LabName.parse("pt-12345-A1B2-left"));
        assertEquals(Optional.empty(), LabName.parse("pt-x-a1b2-left"));
        assertEquals(Optional.empty(), LabName.parse("cni-12345-a1b2-left"));
        assertEquals(Optional.empty(), LabName.parse("pt-12345-a1b2-left/../x"));
    }

    @Test
    void labAddressesMustStayInsideTheLabRanges() {
        assertEquals("10.199.0.1/24", LabAddress.parse("10.199.0.1/24").toString());
        assertEquals(IpFamily.V6, LabAddress.parse("fd00:199::1/64").family());
        assertEquals(64, LabAddress.parse("fd00:199::1/64").prefixLength());
        for (String bad : List.of(
                "192.168.1.1/24",
                "10.198.0.1/24",
                "10.199.0.1/8",
                "2001:db8::1/64",
                "fd00:199::1/16",
                "10.199.0.1",
                "10.199.0.1/x",
                "10.199.0.1/33")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LabAddress.parse(bad), bad);
            assertTrue(
                    e.getMessage().contains("outside the lab range")
                            || e.getMessage().contains("prefix length"),
                    e.getMessage());
        }
    }

    @Test
    void firewallRulesCheckTableChainAndPort() {
        FirewallRule drop = FirewallRule.dropTcpInput(IpFamily.V4, 9090);
        assertEquals(List.of("-p", "tcp", "--dport", "9090", "-j", "DROP"), drop.arguments());
        assertEquals("filter", drop.table());
        FirewallRule mark = FirewallRule.markOutput(IpFamily.V6, 42);
        assertEquals(List.of("-j", "MARK", "--set-mark", "0x2a"), mark.arguments());
        assertEquals("mangle", mark.table());
        assertThrows(IllegalArgumentException.class, () -> FirewallRule.dropTcpInput(IpFamily.V4, 0));
        assertThrows(IllegalArgumentException.class, () -> FirewallRule.dropTcpInput(IpFamily.V4, 65536));
        assertThrows(
                IllegalArgumentException.class, () -> new FirewallRule(IpFamily.V4, "nosuchtable", "INPUT", List.of()));
        assertThrows(
                IllegalArgumentException.class, () -> new FirewallRule(IpFamily.V4, "filter", "IN PUT", List.of()));
        assertThrows(
                IllegalArgumentException.class,
                () -> new FirewallRule(IpFamily.V4, "filter", "INPUT", List.of("-j", "")));
    }

    @Test
    void pingResultRejectsImpossibleCounts() {
        assertTrue(new PingResult(3, 3).allReplied());
        assertThrows(IllegalArgumentException.class, () -> new PingResult(1, 2));
    }
}
