// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * An IPv4 or IPv6 address with a prefix length: a single address is a /32 or /128.
 * The address is stored with its host bits cleared so that equal networks compare equal.
 */
public record IpPrefix(InetAddress network, int prefixLength) {

    public IpPrefix {
        int max = network.getAddress().length * 8;
        if (prefixLength < 0 || prefixLength > max) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " is outside 0.." + max);
        }
        network = mask(network, prefixLength);
    }

    /**
     * Parses "10.0.0.1", "10.0.0.0/8", "fd00::1" or "fd00::/64". Only literal addresses are accepted,
     * never host names: resolving names would send DNS queries from a tracing tool.
     */
    public static IpPrefix parse(String text) {
        String s = text.trim();
        int slash = s.indexOf('/');
        String addr = slash < 0 ? s : s.substring(0, slash);
        InetAddress address = parseLiteral(addr, text);
        int max = address.getAddress().length * 8;
        int len = max;
        if (slash >= 0) {
            String lenText = s.substring(slash + 1);
            try {
                len = Integer.parseInt(lenText);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "': prefix length '" + lenText + "' is not a number");
            }
            if (len < 0 || len > max) {
                throw new IllegalArgumentException("'" + text + "': prefix length " + len + " is outside 0.." + max);
            }
        }
        return new IpPrefix(address, len);
    }

    public boolean isIpv6() {
        return network.getAddress().length == 16;
    }

    /** True when the address is of the same family and falls inside this prefix. */
    public boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        if (a.length != network.getAddress().length) {
            return false;
        }
        return Arrays.equals(mask(address, prefixLength).getAddress(), network.getAddress());
    }

    @Override
    public String toString() {
        return network.getHostAddress() + "/" + prefixLength;
    }

    private static InetAddress parseLiteral(String addr, String original) {
        boolean v4 = addr.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean v6 = addr.contains(":") && addr.matches("[0-9a-fA-F:.]+");
        if (!v4 && !v6) {
            throw new IllegalArgumentException("'" + original + "' is not an IPv4 or IPv6 address or CIDR");
        }
        if (v4) {
            for (String part : addr.split("\\.")) {
                if (Integer.parseInt(part) > 255) {
                    throw new IllegalArgumentException("'" + original + "': octet " + part + " is above 255");
                }
            }
        }
        try {
            return InetAddress.getByName(addr); // a literal: no lookup happens
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + original + "' is not a valid IP address", e);
        }
    }

    private static InetAddress mask(InetAddress address, int prefixLength) {
        byte[] bytes = address.getAddress();
        for (int i = 0; i < bytes.length; i++) {
            int bitsHere = Math.max(0, Math.min(8, prefixLength - i * 8));
            bytes[i] &= (byte) (0xff << (8 - bitsHere));
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("address of length " + bytes.length, e);
        }
    }
}
