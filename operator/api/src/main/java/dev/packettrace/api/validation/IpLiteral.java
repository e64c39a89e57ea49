// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.api.validation;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Checks and normalizes an IPv4/IPv6 address or CIDR the way the tracer core's IpPrefix reads it, so a
 * spec the operator accepts is one the agent can load. Literals only: a host name is an error, never a
 * DNS query.
 */
final class IpLiteral {

    private IpLiteral() {
    }

    /** "10.0.0.7" becomes "10.0.0.7/32", "10.1.2.3/8" becomes "10.0.0.0/8". */
    static String normalize(String text) {
        String s = text.trim();
        int slash = s.indexOf('/');
        String addr = slash < 0 ? s : s.substring(0, slash);
        boolean v4 = addr.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean v6 = addr.contains(":") && addr.matches("[0-9a-fA-F:.]+");
        if (!v4 && !v6) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 or IPv6 address or CIDR (host names are not resolved)");
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
            throw new IllegalArgumentException("'" + text + "' is not a valid IP address");
        }
        int max = bytes.length * 8;
        int len = max;
        if (slash >= 0) {
            String lenText = s.substring(slash + 1);
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
            return InetAddress.getByAddress(bytes).getHostAddress() + "/" + len;
        } catch (UnknownHostException e) {
            throw new IllegalStateException("address of length " + bytes.length, e);
        }
    }
}
