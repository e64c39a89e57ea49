// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.lab;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Named network namespaces as iproute2 keeps them: bind mounts under /run/netns. */
final class Netns {

    static final Path RUN_DIR = Path.of("/run/netns");
    static final Duration IP_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration EXIT_WAIT = Duration.ofSeconds(5);

    private Netns() {}

    static Path path(String name) {
        return RUN_DIR.resolve(name);
    }

    static boolean exists(String name) {
        return Files.exists(path(name), LinkOption.NOFOLLOW_LINKS);
    }

    /** Inode of the namespace file: the same number as in net:[...] and in the kernel's ns.inum. */
    static long inode(String name) {
        try {
            return ((Number) Files.getAttribute(path(name), "unix:ino")).longValue();
        } catch (IOException e) {
            throw new LabException("cannot stat " + path(name) + " to read the namespace inode: " + e, e);
        }
    }

    static List<String> list() {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(RUN_DIR)) {
            for (Path p : dir) {
                names.add(p.getFileName().toString());
            }
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new LabException("cannot list " + RUN_DIR + ": " + e, e);
        }
        return names;
    }

    static void add(String name) {
        CommandRunner.runChecked(List.of("ip", "netns", "add", name), IP_TIMEOUT);
    }

    /**
     * Kills whatever still runs inside the namespace, then deletes it. A process left inside would keep the
     * namespace (and its veths and addresses) alive after its name is gone, with nothing left to reap it by.
     */
    static void delete(String name) {
        if (!exists(name)) {
            return;
        }
        killProcessesIn(name);
        CommandResult result = CommandRunner.run(List.of("ip", "netns", "del", name), IP_TIMEOUT, new byte[0]);
        // Another reaper may have deleted it between our check and our command; only a survivor is an error.
        if (!result.succeeded() && exists(name)) {
            result.requireSuccess();
        }
    }

    static void killProcessesIn(String name) {
        CommandResult pids = CommandRunner.run(List.of("ip", "netns", "pids", name), IP_TIMEOUT, new byte[0]);
        if (!pids.succeeded()) {
            if (!exists(name)) {
                return;
            }
            pids.requireSuccess();
        }
        long self = ProcessHandle.current().pid();
        List<ProcessHandle> killed = new ArrayList<>();
        for (String line : pids.stdout().split("\n")) {
            String s = line.strip();
            if (s.isEmpty()) {
                continue;
            }
            long pid = Long.parseLong(s);
            if (pid == self) {
                continue;
            }
            ProcessHandle.of(pid).ifPresent(h -> {
                h.destroyForcibly();
                killed.add(h);
            });
        }
        for (ProcessHandle h : killed) {
            try {
                h.onExit().get(EXIT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new LabException("process " + h.pid() + " in namespace " + name + " did not exit after SIGKILL");
            } catch (ExecutionException e) {
                throw new LabException("waiting for process " + h.pid() + " in namespace " + name + " failed", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LabException("interrupted while waiting for processes in namespace " + name, e);
            }
        }
    }
}
