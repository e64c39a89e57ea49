// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.lab;

/** Packets and bytes a firewall rule has matched. */
public record RuleCounters(long packets, long bytes) {}
