// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.output;

import java.net.InetAddress;

/**
 * Writes IP addresses as text into a reusable buffer: dotted quads for IPv4 and the RFC 5952 canonical form
 * for IPv6 ("fd00::1", lower case, the longest run of zero groups compressed). InetAddress.getHostAddress would
 * allocate a string per call and writes IPv6 without compression ("fd00:0:0:0:0:0:0:1").
 * Not thread-safe.
 */
public final class AddressText {

    /** Longest form: 8 groups of 4 hex digits and 7 colons. */
    static final int MAX_LENGTH = 39;

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final char[] buf = new char[MAX_LENGTH];

    /** The address as text, in a new string (for the rare caller outside the per-event path). */
    public static String toText(InetAddress address) {
        AddressText t = new AddressText();
        return new String(t.buf, 0, t.format(address));
    }

    /** Formats the address into {@link #chars()}; returns the length. */
    int format(InetAddress address) {
        byte[] b = address.getAddress();
        return b.length == 4 ? formatV4(b) : formatV6(b);
    }

    char[] chars() {
        return buf;
    }

    private int formatV4(byte[] b) {
        int p = 0;
        for (int i = 0; i < 4; i++) {
            if (i > 0) {
                buf[p++] = '.';
            }
            int v = b[i] & 0xff;
            if (v >= 100) {
                buf[p++] = (char) ('0' + v / 100);
            }
            if (v >= 10) {
                buf[p++] = (char) ('0' + v / 10 % 10);
            }
            buf[p++] = (char) ('0' + v % 10);
        }
        return p;
    }

    private int formatV6(byte[] b) {
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = (b[2 * i] & 0xff) << 8 | (b[2 * i + 1] & 0xff);
        }
        // RFC 5952 4.2: compress the longest run of two or more zero groups, the first one on a tie.
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        int p = 0;
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                buf[p++] = ':';
                buf[p++] = ':';
                i += bestLen - 1;
                continue;
            }
            if (p > 0 && buf[p - 1] != ':') {
                buf[p++] = ':';
            }
            p = hex(groups[i], p);
        }
        return p;
    }

    private int hex(int v, int p) {
        boolean started = false;
        for (int shift = 12; shift >= 0; shift -= 4) {
            int d = v >> shift & 0xf;
            if (d != 0 || started || shift == 0) {
                buf[p++] = HEX[d];
                started = true;
            }
        }
        return p;
    }
}
