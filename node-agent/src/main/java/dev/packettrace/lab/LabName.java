// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.lab;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The name of a lab namespace: {@code pt-<owner pid>-<4 hex digits>-<role>}, e.g. {@code pt-12345-a1b2-left}.
 * The owner pid is in the name so that a later run can tell a lab whose owner died (and left it behind)
 * from one that is still in use.
 */
record LabName(long ownerPid, String labSuffix, String role) {

    static final String PREFIX = "pt-";
    private static final Pattern NAME = Pattern.compile("pt-([0-9]{1,10})-([0-9a-f]{4})-([a-z][a-z0-9]{0,15})");
    static final Pattern ROLE = Pattern.compile("[a-z][a-z0-9]{0,15}");

    static Optional<LabName> parse(String name) {
        Matcher m = NAME.matcher(name);
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new LabName(Long.parseLong(m.group(1)), m.group(2), m.group(3)));
    }

    static String labId(long ownerPid, String labSuffix) {
        return PREFIX + ownerPid + "-" + labSuffix;
    }

    String namespaceName() {
        return labId(ownerPid, labSuffix) + "-" + role;
    }
}
