// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.lab;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packettrace.testing.Eventually;
import dev.packettrace.testing.Privileged;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Creating, closing and reaping labs: what is left in /run/netns afterwards, checked with ip netns list. */
@Tag("privileged")
class NetLabLifecycleTest {

    @BeforeEach
    void requireRoot() {
        Privileged.requireRoot();
    }

    @Test
    void closeDeletesNamespacesAndStopsHelperProcesses() {
        NetLab lab = NetLab.create();
        LabNamespace a = lab.addNamespace("a");
        LabNamespace b = lab.addNamespace("b");
        lab.addVeth(a, "a0", b, "b0");
        lab.addAddress(b, "b0", LabAddress.parse("10.199.3.2/24"));
        LabProcess listener = lab.listenTcp(b, NetLabTest.address("10.199.3.2"), 8080);
        assertTrue(
                ipNetnsList().containsAll(List.of(a.name(), b.name())),
                ipNetnsList().toString());

        lab.close();

        List<String> after = ipNetnsList();
        assertFalse(after.contains(a.name()), after.toString());
        assertFalse(after.contains(b.name()), after.toString());
        assertFalse(Files.exists(Path.of("/run/netns", a.name())));
        assertFalse(listener.isAlive(), "listener pid " + listener.pid() + " survived close()");
        assertDoesNotThrow(lab::close, "closing twice must be harmless");
        assertThrows(IllegalStateException.class, () -> lab.addNamespace("c"));
    }

    @Test
    void closeCleansUpAfterAFailedStep() {
        NetLab lab = NetLab.create();
        LabNamespace a = lab.addNamespace("a");
        LabNamespace b = lab.addNamespace("b");
        lab.addVeth(a, "x0", b, "y0");
        // Same interface name again in the same namespace: the kernel refuses it half-way through the build.
        CommandFailedException e = assertThrows(CommandFailedException.class, () -> lab.addVeth(a, "x0", b, "y1"));
        assertTrue(e.stderr().toLowerCase().contains("exists"), e.stderr());

        lab.close();

        List<String> after = ipNetnsList();
        assertFalse(after.contains(a.name()) || after.contains(b.name()), after.toString());
    }

    @Test
    void reapStaleRemovesLabsOfDeadOwnersOnly() throws Exception {
        long deadPid = exitedPid();
        long livePid = ProcessHandle.current().pid();
        String stale = "pt-" + deadPid + "-beef-stale";
        String live = "pt-" + livePid + "-beef-live";
        String foreign = "pt-notalab-" + deadPid;
        Process inside = null;
        try {
            for (String name : List.of(stale, live, foreign)) {
                CommandRunner.runChecked(List.of("ip", "netns", "add", name), Duration.ofSeconds(10));
            }
            // A process still running in the stale namespace must not keep it alive past the reap.
            inside = new ProcessBuilder("ip", "netns", "exec", stale, "sleep", "600").start();
            Process sleeper = inside;
            Eventually.await(
                    Duration.ofSeconds(5),
                    () -> CommandRunner.runChecked(List.of("ip", "netns", "pids", stale), Duration.ofSeconds(5))
                            .stdout()
                            .contains(Long.toString(sleeper.pid())),
                    () -> "sleep to run inside " + stale);

            List<String> reaped = NetLab.reapStale();

            assertTrue(reaped.contains(stale), reaped.toString());
            assertFalse(reaped.contains(live), reaped.toString());
            assertFalse(reaped.contains(foreign), reaped.toString());
            List<String> after = ipNetnsList();
            assertFalse(after.contains(stale), after.toString());
            assertTrue(after.contains(live), after.toString());
            assertTrue(after.contains(foreign), after.toString());
            assertTrue(inside.waitFor(5, TimeUnit.SECONDS), "process inside the stale namespace was not killed");
        } finally {
            if (inside != null) {
                inside.destroyForcibly();
            }
            for (String name : List.of(stale, live, foreign)) {
                Netns.delete(name);
            }
        }
    }

    @Test
    void ownerKilledWithSigtermStillDeletesItsLab() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process owner = new ProcessBuilder(
                        java, "-cp", System.getProperty("java.class.path"), LabOwnerMain.class.getName())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            String name;
            try (var out = new BufferedReader(new InputStreamReader(owner.getInputStream()))) {
                name = out.readLine();
                assertTrue(name != null && name.endsWith("-owned"), "owner printed: " + name);
                assertTrue(ipNetnsList().contains(name), name + " missing while its owner runs");

                owner.destroy();
                assertTrue(owner.waitFor(30, TimeUnit.SECONDS), "owner did not exit after SIGTERM");
            }
            assertFalse(ipNetnsList().contains(name), name + " survived its owner's SIGTERM");
        } finally {
            owner.destroyForcibly();
        }
    }

    /** The pid of a process that has exited and been waited for, so nothing holds that pid now. */
    private static long exitedPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        assertEquals(0, p.waitFor());
        assertTrue(ProcessHandle.of(p.pid()).isEmpty(), "pid " + p.pid() + " still exists");
        return p.pid();
    }

    static List<String> ipNetnsList() {
        String out = CommandRunner.runChecked(List.of("ip", "netns", "list"), Duration.ofSeconds(10))
                .stdout();
        return Arrays.stream(out.split("\n"))
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .map(s -> s.split("\\s+")[0])
                .toList();
    }
}
