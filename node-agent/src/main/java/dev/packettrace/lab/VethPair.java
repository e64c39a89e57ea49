// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.lab;

/** A veth pair: interface {@code nameA} in namespace {@code a} is wired to {@code nameB} in {@code b}. */
public record VethPair(LabNamespace a, String nameA, LabNamespace b, String nameB) {}
