// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.lab;

/** A rule a lab appended, with its 1-based position in its chain so that its counters can be read back. */
public record InstalledRule(LabNamespace namespace, FirewallRule rule, int position) {}
