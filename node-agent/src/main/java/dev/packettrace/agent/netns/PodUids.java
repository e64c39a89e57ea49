// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.agent.netns;

import java.util.regex.Pattern;

/** Checks pod UIDs before they are matched against cgroup path segments. */
final class PodUids {

    /*
     * API-server pods carry UUIDs; static pods carry a hex hash of their manifest. Neither contains '/',
     * '_' or '.', which is what makes matching whole path segments exact.
     */
    private static final Pattern UID = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?");

    private PodUids() {}

    static boolean isValid(String uid) {
        return uid != null && UID.matcher(uid).matches();
    }

    static String requireValid(String uid, String field) {
        if (!isValid(uid)) {
            throw new IllegalArgumentException(field + ": '" + uid
                    + "' is not a pod UID (letters, digits and inner dashes, as in a Pod's metadata.uid)");
        }
        return uid;
    }
}
