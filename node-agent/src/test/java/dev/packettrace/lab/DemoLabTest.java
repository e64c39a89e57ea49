// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packettrace.testing.Privileged;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("privileged")
class DemoLabTest {

    @Test
    void allowedPortConnectsBlockedPortIsDroppedAndCloseRemovesEverything() {
        Privileged.requireRoot();
        String client;
        String server;
        try (DemoLab demo = DemoLab.start()) {
            client = demo.client().name();
            server = demo.server().name();
            assertEquals(demo.labId() + "-client", client);
            assertEquals(demo.labId() + "-server", server);
            assertNotEquals(demo.client().inode(), demo.server().inode());
            assertEquals("10.199.0.1", demo.clientAddress().getHostAddress());
            assertEquals("10.199.0.2", demo.serverAddress().getHostAddress());
            assertEquals(8080, demo.allowedPort());
            assertEquals(9090, demo.blockedPort());
            assertTrue(NetLabLifecycleTest.ipNetnsList().containsAll(List.of(client, server)));

            long droppedBefore = demo.droppedPackets();
            long start = System.nanoTime();
            DemoTraffic traffic = demo.generateTraffic(3, Duration.ofMillis(300));
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertEquals(new DemoTraffic(3, 3, 3, 0), traffic);
            assertTrue(traffic.asExpected());
            assertTrue(
                    demo.droppedPackets() >= droppedBefore + 3,
                    "each blocked attempt sends at least one SYN into the DROP rule");
            assertTrue(took.compareTo(Duration.ofSeconds(5)) < 0, "blocked attempts must time out quickly: " + took);
        }
        List<String> after = NetLabLifecycleTest.ipNetnsList();
        assertFalse(after.contains(client) || after.contains(server), after.toString());
    }
}
