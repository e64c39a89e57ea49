// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.operator.trace;

/**
 * A Kubernetes Event to record on a PacketTrace for a transition a user should see in
 * {@code kubectl describe}.
 */
public record Notice(Type type, String reason, String message) {
    public enum Type {
        Normal,
        Warning
    }

    static Notice normal(String reason, String message) {
        return new Notice(Type.Normal, reason, message);
    }

    static Notice warning(String reason, String message) {
        return new Notice(Type.Warning, reason, message);
    }
}
