// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.api.report;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The name of one node's report for one trace: "&lt;trace&gt;-&lt;node&gt;-&lt;hash&gt;". The hash of
 * (trace, node) keeps names unique where the readable part alone would collide ("a-b" on node "c" and
 * "a" on node "b-c") or had to be shortened to fit the 253-character limit.
 */
public final class ReportNames {

    static final int MAX_NAME = 253;
    private static final int HASH_CHARS = 8;

    private ReportNames() {}

    public static String reportName(String traceName, String nodeName) {
        String hash = hash(traceName + "\n" + nodeName);
        String readable = traceName + "-" + nodeName;
        int room = MAX_NAME - HASH_CHARS - 1;
        if (readable.length() > room) {
            readable = readable.substring(0, room);
        }
        // A DNS subdomain may not have '-' or '.' next to a '.', nor end in either.
        readable = readable.replaceAll("[.-]+$", "");
        return readable + "-" + hash;
    }

    private static String hash(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d).substring(0, HASH_CHARS);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
