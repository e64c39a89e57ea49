// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.kernel;

import java.util.Optional;

/** A capability set as the 64-bit mask that /proc/PID/status shows in hex (CapEff, CapPrm, ...). */
public record Capabilities(long mask) {

    public boolean has(Capability cap) {
        return (mask & (1L << cap.bit())) != 0;
    }

    /**
     * Reads the {@code field} line (e.g. "CapEff") of a /proc/PID/status text.
     *
     * @return empty when the field is absent
     * @throws IllegalArgumentException when the field is present but not a hex mask
     */
    public static Optional<Capabilities> fromStatus(String statusText, String field) {
        for (String line : statusText.split("\n")) {
            if (line.startsWith(field + ":")) {
                String hex = line.substring(field.length() + 1).strip();
                try {
                    return Optional.of(new Capabilities(Long.parseUnsignedLong(hex, 16)));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(field + " value '" + hex + "' is not a hexadecimal mask");
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return String.format("%016x", mask);
    }
}
