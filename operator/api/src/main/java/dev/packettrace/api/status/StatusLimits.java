// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.api.status;

/**
 * Bounds that keep a PacketTrace status, and each node report, small whatever the traffic: the full
 * stream goes to the sink, the status holds counts and samples. etcd refuses objects above about
 * 1.5 MB; the status aims far lower because every update is sent to every watcher.
 */
public final class StatusLimits {

    /** The serialized status is trimmed until it fits this (see {@link StatusBudget}). */
    public static final int STATUS_BUDGET_BYTES = 48 * 1024;
    /** The serialized node report is trimmed until it fits this. */
    public static final int REPORT_BUDGET_BYTES = 32 * 1024;

    public static final int MAX_TARGETS = 50;
    public static final int MAX_NODES = 50;
    public static final int MAX_DROP_GROUPS = 20;
    public static final int MAX_RECENT_EVENTS = 25;
    public static final int MAX_CONDITIONS = 8;

    /** Per node report: the targets of one trace on one node, and its drop groups. */
    public static final int MAX_REPORT_TARGETS = 100;

    public static final int MAX_REPORT_DROP_GROUPS = 32;

    public static final int MAX_NAME = 253;
    public static final int MAX_MESSAGE = 256;
    public static final int MAX_VERDICT = 300;
    public static final int MAX_LOCATION = 128;
    public static final int MAX_REASON = 64;
    public static final int MAX_PROBE = 64;
    public static final int MAX_TUPLE = 128;
    public static final int MAX_IFNAME = 16;
    public static final int MAX_SHORT = 64;

    private StatusLimits() {}

    /** Null stays null; longer text is cut and marked with an ellipsis so the cut is visible. */
    public static String clip(String s, int max) {
        if (s == null || s.length() <= max) {
            return s;
        }
        return s.substring(0, Math.max(0, max - 1)) + "\u2026";
    }
}
