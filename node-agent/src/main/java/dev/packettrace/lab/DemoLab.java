// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.lab;

import java.net.InetAddress;
import java.time.Duration;

/**
 * The fixed scenario of {@code packettrace demo}: namespaces {@code client} and {@code server} joined by
 * one veth pair ({@code eth0} on both sides, like a pod), a TCP listener on the server's port
 * {@value #ALLOWED_PORT}, and a DROP rule in the server's filter INPUT chain for TCP port
 * {@value #BLOCKED_PORT}. Connections to the first succeed; connections to the second time out, and the
 * tracer should show where and why they were dropped.
 */
public final class DemoLab implements AutoCloseable {

    public static final int ALLOWED_PORT = 8080;
    public static final int BLOCKED_PORT = 9090;
    public static final String INTERFACE = "eth0";
    public static final LabAddress CLIENT_ADDRESS = LabAddress.parse("10.199.0.1/24");
    public static final LabAddress SERVER_ADDRESS = LabAddress.parse("10.199.0.2/24");

    private final NetLab lab;
    private final LabNamespace client;
    private final LabNamespace server;
    private final InstalledRule dropRule;

    private DemoLab(NetLab lab, LabNamespace client, LabNamespace server, InstalledRule dropRule) {
        this.lab = lab;
        this.client = client;
        this.server = server;
        this.dropRule = dropRule;
    }

    /** Builds the lab; on any failure, deletes whatever was built and rethrows. */
    public static DemoLab start() {
        NetLab lab = NetLab.create();
        try {
            LabNamespace client = lab.addNamespace("client");
            LabNamespace server = lab.addNamespace("server");
            lab.addVeth(client, INTERFACE, server, INTERFACE);
            lab.addAddress(client, INTERFACE, CLIENT_ADDRESS);
            lab.addAddress(server, INTERFACE, SERVER_ADDRESS);
            InstalledRule drop = lab.addFirewallRule(server, FirewallRule.dropTcpInput(IpFamily.V4, BLOCKED_PORT));
            lab.listenTcp(server, SERVER_ADDRESS.address(), ALLOWED_PORT);
            return new DemoLab(lab, client, server, drop);
        } catch (RuntimeException e) {
            try {
                lab.close();
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /** The underlying lab, for tests that add rules or traffic of their own to this topology. */
    public NetLab netLab() {
        return lab;
    }

    public String labId() {
        return lab.id();
    }

    public LabNamespace client() {
        return client;
    }

    public LabNamespace server() {
        return server;
    }

    public InetAddress clientAddress() {
        return CLIENT_ADDRESS.address();
    }

    public InetAddress serverAddress() {
        return SERVER_ADDRESS.address();
    }

    public int allowedPort() {
        return ALLOWED_PORT;
    }

    public int blockedPort() {
        return BLOCKED_PORT;
    }

    /** One connection attempt from client to server:{@value #ALLOWED_PORT}; true if it connected. */
    public boolean connectAllowed(Duration timeout) {
        return lab.tcpConnect(client, serverAddress(), ALLOWED_PORT, timeout);
    }

    /** One connection attempt from client to server:{@value #BLOCKED_PORT}; true if it (unexpectedly) connected. */
    public boolean connectBlocked(Duration timeout) {
        return lab.tcpConnect(client, serverAddress(), BLOCKED_PORT, timeout);
    }

    /**
     * Makes {@code attemptsPerPort} connection attempts to each port. Attempts to the blocked port are given
     * up after {@code blockedTimeout}; allowed ones get a generous deadline since they answer at once.
     */
    public DemoTraffic generateTraffic(int attemptsPerPort, Duration blockedTimeout) {
        if (attemptsPerPort < 1 || attemptsPerPort > 100) {
            throw new IllegalArgumentException("attempts per port must be 1..100, got " + attemptsPerPort);
        }
        int allowed = 0;
        int blocked = 0;
        for (int i = 0; i < attemptsPerPort; i++) {
            if (connectAllowed(Duration.ofSeconds(5))) {
                allowed++;
            }
            if (connectBlocked(blockedTimeout)) {
                blocked++;
            }
        }
        return new DemoTraffic(attemptsPerPort, allowed, attemptsPerPort, blocked);
    }

    /** How many packets the server's DROP rule for port {@value #BLOCKED_PORT} has dropped so far. */
    public long droppedPackets() {
        return lab.counters(dropRule).packets();
    }

    /** Deletes both namespaces, the veth pair, the rule and the listener. */
    @Override
    public void close() {
        lab.close();
    }
}
