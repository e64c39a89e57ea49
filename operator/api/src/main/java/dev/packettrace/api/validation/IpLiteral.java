// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.api.validation;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The one parser of IPv4/IPv6 addresses and CIDRs: the spec validator and the tracer core's IpPrefix (and so the
 * CLI's --filter-*-ip flags) both read through it, so a spec the operator accepts is one the agent can load, and
 * the CLI refuses what the validator refuses, with the same message. Literals only: a host name is an error, never
 * a DNS query, because a tracing tool must not put packets of its own on the network it traces.
 */
public final class IpLiteral {

    private IpLiteral() {}

    /**
     * A parsed address or CIDR. The network has its host bits cleared so that equal networks compare equal;
     * a single address is a /32 or /128.
     */
    public record Cidr(InetAddress network, int prefixLength) {

        /** "10.0.0.0/8", the form the validator normalizes a spec's address to. */
        @Override
        public String toString() {
            return network.getHostAddress() + "/" + prefixLength;
        }
    }

    /**
     * Parses "10.0.0.1", "10.0.0.0/8", "fd00::1" or "fd00::/64"; the message of the IllegalArgumentException
     * quotes the text and says what is wrong.
     */
    public static Cidr parse(String text) {
        String s = text.trim();
        int slash = s.indexOf('/');
        String addr = slash < 0 ? s : s.substring(0, slash);
        boolean v4 = addr.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean v6 = addr.contains(":") && addr.matches("[0-9a-fA-F:.]+");
        if (!v4 && !v6) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not an IPv4 or IPv6 address or CIDR (host names are not resolved)");
        }
        if (v4) {
            for (String part : addr.split("\\.")) {
                if (Integer.parseInt(part) > 255) {
                    throw new IllegalArgumentException("'" + text + "': octet " + part + " is above 255");
                }
            }
        }
        byte[] bytes;
        try {
            bytes = InetAddress.getByName(addr).getAddress(); // a literal by the checks above: no lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + text + "' is not a valid IP address", e);
        }
        int max = bytes.length * 8;
        int len = max;
        if (slash >= 0) {
            String lenText = s.substring(slash + 1);
            // digits only: Integer.parseInt would also take "+8" or "0008", which the CRD's pattern refuses
            if (!lenText.matches("\\d{1,3}")) {
                throw new IllegalArgumentException("'" + text + "': prefix length '" + lenText + "' is not a number");
            }
            len = Integer.parseInt(lenText);
            if (len > max) {
                throw new IllegalArgumentException("'" + text + "': prefix length " + len + " is outside 0.." + max);
            }
        }
        for (int i = 0; i < bytes.length; i++) {
            int bitsHere = Math.max(0, Math.min(8, len - i * 8));
            bytes[i] &= (byte) (0xff << (8 - bitsHere));
        }
        try {
            return new Cidr(InetAddress.getByAddress(bytes), len);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("address of length " + bytes.length, e);
        }
    }

    /** "10.0.0.7" becomes "10.0.0.7/32", "10.1.2.3/8" becomes "10.0.0.0/8". */
    static String normalize(String text) {
        return parse(text).toString();
    }
}
