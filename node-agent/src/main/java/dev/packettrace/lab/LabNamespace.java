// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.lab;

/**
 * A network namespace created by a lab: its name under /run/netns and its inode, which is the number the
 * kernel reports as the netns id (net:[inode]) and what the tracer filters on.
 */
public record LabNamespace(String name, long inode) {

    public LabNamespace {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("namespace name must not be empty");
        }
        if (inode <= 0) {
            throw new IllegalArgumentException("namespace " + name + ": inode must be positive, got " + inode);
        }
    }
}
