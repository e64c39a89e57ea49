// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.testing;

import java.util.UUID;

/** A named network namespace ({@code ip netns add}) that exists until closed. */
public final class TestNetns implements AutoCloseable {

    private final String name;

    private TestNetns(String name) {
        this.name = name;
    }

    public static TestNetns create() {
        String name = "pt-test-" + UUID.randomUUID().toString().substring(0, 8);
        Commands.run("ip", "netns", "add", name);
        return new TestNetns(name);
    }

    public String name() {
        return name;
    }

    /** The namespace's inode, from stat(1) on the bind mount that ip netns keeps under /run/netns. */
    public long inode() {
        return Commands.inodeOf("/run/netns/" + name);
    }

    @Override
    public void close() {
        Commands.run("ip", "netns", "del", name);
    }
}
