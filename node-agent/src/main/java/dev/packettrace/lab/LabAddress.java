// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.lab;

import dev.packettrace.tracer.IpPrefix;
import java.net.InetAddress;

/**
 * An interface address inside a lab, such as 10.199.0.1/24. Only addresses and subnets inside 10.199.0.0/16
 * and fd00:199::/32 are accepted: those ranges are private and used only inside namespaces the lab creates,
 * so a lab can never add a route or answer for an address that exists on a real network.
 */
public record LabAddress(InetAddress address, int prefixLength) {

    public static final IpPrefix V4_RANGE = IpPrefix.parse("10.199.0.0/16");
    public static final IpPrefix V6_RANGE = IpPrefix.parse("fd00:199::/32");

    public LabAddress {
        IpPrefix range = IpFamily.of(address) == IpFamily.V4 ? V4_RANGE : V6_RANGE;
        int max = address.getAddress().length * 8;
        if (!range.contains(address)) {
            throw new IllegalArgumentException("address " + address.getHostAddress() + " is outside the lab range "
                    + range.network().getHostAddress() + "/" + range.prefixLength());
        }
        if (prefixLength < range.prefixLength() || prefixLength > max) {
            throw new IllegalArgumentException("address " + address.getHostAddress() + ": prefix length "
                    + prefixLength + " must be " + range.prefixLength() + ".." + max
                    + " so that the subnet stays inside the lab range");
        }
    }

    /** Parses "10.199.0.1/24" or "fd00:199::1/64"; the prefix length is required. */
    public static LabAddress parse(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("lab address '" + text + "' needs a prefix length, e.g. 10.199.0.1/24");
        }
        IpPrefix host = IpPrefix.parse(text.substring(0, slash));
        int len;
        try {
            len = Integer.parseInt(text.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("lab address '" + text + "': prefix length is not a number");
        }
        return new LabAddress(host.network(), len);
    }

    public IpFamily family() {
        return IpFamily.of(address);
    }

    /** The form ip(8) takes. */
    @Override
    public String toString() {
        return address.getHostAddress() + "/" + prefixLength;
    }
}
