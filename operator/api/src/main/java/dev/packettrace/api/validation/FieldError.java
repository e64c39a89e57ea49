// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.api.validation;

/**
 * One thing wrong with a PacketTrace, named by its field path.
 *
 * @param path    e.g. "spec.filter.dstPort" or "spec.targets.podNames[2]"
 * @param message what is wrong and, where it helps, what would be right
 */
public record FieldError(String path, String message) {

    /** "spec.filter.dstPort: 70000 is outside 1..65535" */
    @Override
    public String toString() {
        return path + ": " + message;
    }
}
