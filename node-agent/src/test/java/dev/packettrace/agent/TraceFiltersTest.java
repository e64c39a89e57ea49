// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packettrace.api.validation.TraceRequest;
import dev.packettrace.tracer.IpPrefix;
import dev.packettrace.tracer.L4Proto;
import dev.packettrace.tracer.TraceFilter;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TraceFiltersTest {

    static TraceRequest.Filter filter(
            String src, String dst, Integer sport, Integer dport, String proto, Long mark, String ifname) {
        return new TraceRequest.Filter(
                mark == null ? OptionalLong.empty() : OptionalLong.of(mark),
                Optional.ofNullable(ifname),
                Optional.ofNullable(src),
                Optional.ofNullable(dst),
                sport == null ? OptionalInt.empty() : OptionalInt.of(sport),
                dport == null ? OptionalInt.empty() : OptionalInt.of(dport),
                Optional.ofNullable(proto),
                true);
    }

    @Test
    void mapsEveryFieldOntoTheTracersFilter() {
        TraceFilter f = TraceFilters.of(filter("10.0.0.0/8", "fd00::1/128", 1234, 80, "tcp", 42L, "eth0"));
        assertEquals(Set.of(), f.netnsInodes(), "namespaces come from the targets");
        assertEquals(Optional.of(IpPrefix.parse("10.0.0.0/8")), f.srcIp());
        assertEquals(Optional.of(IpPrefix.parse("fd00::1")), f.dstIp());
        assertEquals(OptionalInt.of(1234), f.srcPort());
        assertEquals(OptionalInt.of(80), f.dstPort());
        assertEquals(Optional.of(L4Proto.TCP), f.proto());
        assertEquals(OptionalLong.of(42), f.mark());
        assertEquals(Optional.of("eth0"), f.ifname());
        assertTrue(f.trackSkb());
        assertFalse(f.withNetns(Set.of(10L)).matches(Packets.tcp(1, 10, 80)), "10.0.0.2 is not fd00::1");
        assertTrue(TraceFilters.of(filter(null, "10.0.0.2", null, 80, "tcp", null, null))
                .withNetns(Set.of(10L))
                .matches(Packets.tcp(1, 10, 80)));
        assertFalse(TraceFilters.of(filter(null, "10.0.0.2", null, 81, "tcp", null, null))
                .withNetns(Set.of(10L))
                .matches(Packets.tcp(1, 10, 80)));
    }

    @Test
    void badValuesNameTheirField() {
        assertField("spec.filter.srcIp", filter("10.0.0.300", null, null, null, null, null, null));
        assertField("spec.filter.dstIp", filter(null, "web.example", null, null, null, null, null));
        assertField("spec.filter.proto", filter(null, null, null, null, "sctp", null, null));
        assertField("spec.filter.proto", filter(null, null, null, 53, "icmp", null, null));
        assertField("spec.filter.dstPort", filter(null, null, null, 70000, "tcp", null, null));
        assertField("spec.filter.srcPort", filter(null, null, 0, null, "tcp", null, null));
        assertField("spec.filter.mark", filter(null, null, null, null, null, 1L << 32, null));
        assertField("spec.filter.ifname", filter(null, null, null, null, null, null, "a/b"));
        assertField("spec.filter.ifname", filter(null, null, null, null, null, null, "averyveryverylongname"));
    }

    static TraceRequest.Filter expression(String text) {
        return new TraceRequest.Filter(
                OptionalLong.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                OptionalInt.empty(),
                OptionalInt.empty(),
                Optional.empty(),
                false,
                Optional.of(text));
    }

    @Test
    void anExpressionIsCompiledAndItsVerdictComesFromTheKernelsSlots() {
        TraceFilter f = TraceFilters.of(expression("tcp and dst port 80")).withNetns(Set.of(10L));
        assertEquals("tcp and dst port 80", f.expression().orElseThrow().expression());
        var e = Packets.tcp(1, 10, 80);
        assertFalse(f.matches(e), "an event the kernel did not say matched the expression");
        var matched = new dev.packettrace.tracer.PacketEvent(
                e.timestampNs(),
                e.skb(),
                e.cpu(),
                e.pid(),
                e.comm(),
                e.netns(),
                e.ifindex(),
                e.ifname(),
                e.mark(),
                e.len(),
                e.protocol(),
                e.tuple(),
                e.probe(),
                e.probeKind(),
                e.dropReason(),
                e.location(),
                e.stack(),
                e.tracked(),
                e.caller(),
                Set.of("udp", "tcp and dst port 80"));
        assertTrue(f.matches(matched));
    }

    @Test
    void aBadExpressionNamesItsFieldWithLibpcapsMessage() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> TraceFilters.of(expression("tcp and and")));
        assertEquals(
                "spec.filter.expression: 'tcp and and': can't parse filter expression: syntax error", e.getMessage());
    }

    static void assertField(String field, TraceRequest.Filter f) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TraceFilters.of(f));
        assertTrue(e.getMessage().startsWith(field + ": "), e.getMessage());
    }
}
