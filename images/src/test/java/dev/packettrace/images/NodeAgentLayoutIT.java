// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.images;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node-agent image's file tree, run as the image would run it: from its own jlink'd Java 25 runtime,
 * with no JDK on the PATH. The trace test loads the BPF objects from the jar inside the layout and sees
 * real drops of loopback traffic it sends itself, so it needs root and fails (never skips) without it.
 */
class NodeAgentLayoutIT {

    static final Path HOME = Layouts.home("node-agent");
    static final Path LAUNCHER = HOME.resolve("bin/packettrace");

    @Test
    void holdsAJavaRuntimeButNoJdkAndTheBpfObjectsInsideTheJar() throws IOException {
        String release = Files.readString(HOME.resolve("runtime/release"));
        assertTrue(release.contains("JAVA_VERSION=\"25"), release);
        assertTrue(Files.isExecutable(HOME.resolve("runtime/bin/java")));
        for (String tool : List.of("javac", "jlink", "jdeps", "jar")) {
            assertFalse(
                    Files.exists(HOME.resolve("runtime/bin").resolve(tool)), tool + " has no place in a runtime image");
        }
        assertTrue(Files.isExecutable(LAUNCHER));
        try (JarFile jar =
                new JarFile(HOME.resolve("lib/packettrace-node-agent.jar").toFile())) {
            List<String> bpf = jar.stream()
                    .map(e -> e.getName())
                    .filter(n -> n.startsWith("bpf/") && n.endsWith(".o"))
                    .toList();
            assertFalse(bpf.isEmpty(), "BPF objects inside the jar");
        }
        assertFalse(Files.exists(HOME.resolve("bpf")), "no BPF object beside the jar");
    }

    @Test
    void versionRunsOnTheLayoutsOwnRuntime(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("out.txt");
        // -XshowSettings prints the runtime's java.home: it must be the layout's, whatever else is installed.
        Process p = Layouts.launch(
                        LAUNCHER, out, Map.of("JAVA_OPTS", "-XshowSettings:properties"), List.of("--version"))
                .start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "--version did not finish");
        String text = Layouts.read(out);
        assertEquals(0, p.exitValue(), text);
        assertTrue(text.contains("packettrace 0.1.0"), text);
        assertTrue(text.contains("Java 25"), text);
        assertTrue(text.contains("java.home = " + HOME.resolve("runtime").toRealPath()), text);
    }

    @Test
    void aOneSecondTraceSeesTheDropsOfLoopbackTraffic(@TempDir Path tmp) throws Exception {
        assertEquals(
                "root",
                System.getProperty("user.name"),
                "privileged test: tracing loads BPF programs and needs root (CAP_BPF, CAP_PERFMON); run the suite as root");
        int port;
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            port = probe.getLocalPort(); // closed again below: datagrams to it find no socket and are dropped
        }
        Path out = tmp.resolve("out.txt");
        Process p = Layouts.launch(
                        LAUNCHER,
                        out,
                        Map.of(),
                        List.of(
                                "trace",
                                "--duration",
                                "1s",
                                "--filter-proto",
                                "udp",
                                "--filter-dst-port",
                                String.valueOf(port)))
                .start();
        // Send until the trace ends: its probes attach at some point within that time. Bounded: at most 2000
        // datagrams, 127.0.0.1 only.
        try (DatagramSocket sender = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            byte[] payload = "packettrace-layout-smoke".getBytes();
            for (int i = 0; i < 2000 && p.isAlive(); i++) {
                sender.send(new DatagramPacket(payload, payload.length, InetAddress.getLoopbackAddress(), port));
                p.waitFor(10, TimeUnit.MILLISECONDS);
            }
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the 1 s trace did not end");
        String text = Layouts.read(out);
        assertEquals(0, p.exitValue(), text);
        Matcher summary =
                Pattern.compile("Summary: events (\\d+) .*drops (\\d+)").matcher(text);
        assertTrue(summary.find(), "no summary in:\n" + text);
        assertTrue(Long.parseLong(summary.group(2)) > 0, "the datagrams to a closed port were dropped:\n" + text);
        assertTrue(text.contains("NO_SOCKET"), "drop reason from the kernel's BTF:\n" + text);
        assertTrue(text.contains("the --duration elapsed"), text);
    }
}
