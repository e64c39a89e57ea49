// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetnsResolverTest {

    private static final String FLAG = "--filter-netns";
    private final NetnsResolver resolver = new NetnsResolver();

    /** The inode the kernel names in the /proc/self/ns/net link, e.g. net:[4026531833]. */
    private static long ownNetnsInode() throws IOException {
        return inodeOfLinkText(
                Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString());
    }

    private static long inodeOfLinkText(String text) {
        Matcher m = Pattern.compile("net:\\[(\\d+)\\]").matcher(text.strip());
        assertTrue(m.matches(), "link text '" + text + "'");
        return Long.parseLong(m.group(1));
    }

    private static UsageException refused(NetnsResolver r, String spec) {
        UsageException e = assertThrows(UsageException.class, () -> r.resolve(FLAG, spec));
        assertEquals(FLAG, e.flag());
        assertTrue(e.getMessage().startsWith(FLAG + ": '" + spec + "' "), e.getMessage());
        return e;
    }

    @Test
    void resolvesOwnNetworkNamespace() throws IOException {
        assertEquals(ownNetnsInode(), resolver.resolve(FLAG, "/proc/self/ns/net"));
        assertEquals(
                ownNetnsInode(),
                resolver.resolve(FLAG, "/proc/" + ProcessHandle.current().pid() + "/ns/net"));
    }

    @Test
    void followsOrdinarySymlinksToTheNamespaceLink(@TempDir Path dir) throws IOException {
        Path link = Files.createSymbolicLink(dir.resolve("mine"), Path.of("/proc/self/ns/net"));
        assertEquals(ownNetnsInode(), resolver.resolve(FLAG, link.toString()));
    }

    @Test
    void takesInodeSpecsAsIs() {
        assertEquals(4026532177L, resolver.resolve(FLAG, "inode:4026532177"));
        assertTrue(refused(resolver, "inode:abc").getMessage().endsWith("has no decimal inode number after 'inode:'"));
        assertTrue(refused(resolver, "inode:0").getMessage().contains("between 1 and 4294967295"));
        assertTrue(refused(resolver, "inode:").getMessage().contains("has no decimal inode number"));
    }

    @Test
    void refusesAMissingPath() {
        assertTrue(refused(
                        resolver,
                        "/run/netns/does-not-exist-" + ProcessHandle.current().pid())
                .getMessage()
                .endsWith("does not exist"));
    }

    @Test
    void refusesARegularFile(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("netns"), "not a namespace");
        assertTrue(refused(resolver, file.toString()).getMessage().contains("is not a network namespace"));
    }

    @Test
    void refusesADirectory(@TempDir Path dir) {
        assertTrue(refused(resolver, dir.toString()).getMessage().contains("is a directory"));
    }

    @Test
    void refusesAnotherKindOfNamespace() {
        assertTrue(refused(resolver, "/proc/self/ns/uts")
                .getMessage()
                .endsWith("is a uts namespace, not a network namespace"));
        assertTrue(refused(resolver, "/proc/self/ns/mnt").getMessage().contains("is a mnt namespace"));
    }

    @Test
    void refusesAnEmptyValue() {
        assertTrue(refused(resolver, "").getMessage().contains("is empty"));
    }

    @Test
    void readsTheKindOfABindMountFromMountinfo() {
        List<String> lines = List.of(
                "22 1 0:21 / /proc rw,nosuid shared:12 - proc proc rw",
                "44 43 0:4 net:[4026532177] /run/netns/blue rw shared:2 - nsfs nsfs rw",
                "45 43 0:4 uts:[4026532300] /run/utsns/x rw - nsfs nsfs rw");
        assertEquals(Optional.of("net"), NetnsResolver.kindFromMountInfo(lines, 4026532177L));
        assertEquals(Optional.of("uts"), NetnsResolver.kindFromMountInfo(lines, 4026532300L));
        assertEquals(Optional.empty(), NetnsResolver.kindFromMountInfo(lines, 4026532999L));
    }

    /** The real thing: `ip netns add` bind-mounts a new namespace at /run/netns/NAME (needs root). */
    @Test
    @Tag("privileged") // needs root: ip netns add mounts /run/netns
    void resolvesANamedNamespaceUnderRunNetns() throws Exception {
        String name = "ptcli-test-" + ProcessHandle.current().pid();
        run("ip", "netns", "add", name);
        try {
            long expected = inodeOfLinkText(run("ip", "netns", "exec", name, "readlink", "/proc/self/ns/net"));
            long resolved = resolver.resolve(FLAG, "/run/netns/" + name);
            assertEquals(expected, resolved);
            assertTrue(resolved != ownNetnsInode(), "a new namespace, not ours");
        } finally {
            run("ip", "netns", "del", name);
        }
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), String.join(" ", command) + " did not finish");
        assertEquals(0, p.exitValue(), String.join(" ", command) + " failed: " + output);
        return output;
    }
}
