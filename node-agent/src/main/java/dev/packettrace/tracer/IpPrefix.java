// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import dev.packettrace.api.validation.IpLiteral;
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
     * Parses "10.0.0.1", "10.0.0.0/8", "fd00::1" or "fd00::/64", literals only. The api module's IpLiteral does
     * the parsing, so that the CLI and the PacketTrace validator accept and refuse the same text.
     */
    public static IpPrefix parse(String text) {
        IpLiteral.Cidr cidr = IpLiteral.parse(text);
        return new IpPrefix(cidr.network(), cidr.prefixLength());
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
