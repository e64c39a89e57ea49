// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.output;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class AddressTextTest {

    private static String text(String literal) {
        AddressText a = new AddressText();
        int n = a.format(SampleEvents.ip(literal));
        return new String(a.chars(), 0, n);
    }

    @Test
    void ipv4IsDottedDecimal() {
        assertEquals("0.0.0.0", text("0.0.0.0"));
        assertEquals("10.0.0.1", text("10.0.0.1"));
        assertEquals("255.254.100.9", text("255.254.100.9"));
    }

    @Test
    void ipv6FollowsRfc5952() {
        assertEquals("::", text("::"));
        assertEquals("::1", text("::1"));
        assertEquals("fd00::1", text("FD00:0:0:0:0:0:0:1"));
        assertEquals("1::", text("1:0:0:0:0:0:0:0"));
        assertEquals("2001:db8::1:0:0:1", text("2001:db8:0:0:1:0:0:1"), "first of two equal runs");
        assertEquals("2001:db8:0:1:1:1:1:1", text("2001:db8:0:1:1:1:1:1"), "a single zero group stays");
        assertEquals("2001:db8::2:1", text("2001:db8:0:0:0:0:2:1"));
        assertEquals("fe80::abcd:ef01:2345:6789", text("fe80:0:0:0:abcd:ef01:2345:6789"));
        assertEquals("1:2:3:4:5:6:7:8", text("1:2:3:4:5:6:7:8"));
        assertEquals("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", text("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
    }
}
