// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A cgroup directory created in a real hierarchy, with whatever parents were missing. Closing removes
 * only the directories this object created, deepest first, after their processes are gone. A parent
 * such as {@code kubepods} that another test still uses is left in place.
 */
public final class TestCgroup implements AutoCloseable {

    private static final Duration EMPTY_DEADLINE = Duration.ofSeconds(10);

    private final Path dir;
    private final Deque<Path> created;

    private TestCgroup(Path dir, Deque<Path> created) {
        this.dir = dir;
        this.created = created;
    }

    /** Creates {@code hierarchy/relative}, e.g. {@code /sys/fs/cgroup/pids} + {@code kubepods/besteffort/pod<uid>/<id>}. */
    public static TestCgroup create(Path hierarchy, String relative) {
        if (!Files.exists(hierarchy.resolve("cgroup.procs"))) {
            throw new IllegalStateException(hierarchy + " is not a mounted cgroup hierarchy (no cgroup.procs)");
        }
        Deque<Path> created = new ArrayDeque<>();
        Path current = hierarchy;
        try {
            for (String part : relative.split("/")) {
                current = current.resolve(part);
                if (!Files.isDirectory(current)) {
                    try {
                        Files.createDirectory(current);
                        created.push(current);
                    } catch (java.nio.file.FileAlreadyExistsException raced) {
                        // another test created the shared parent meanwhile: theirs to remove
                    }
                }
            }
        } catch (IOException e) {
            new TestCgroup(current, created).close();
            throw new UncheckedIOException("cannot create cgroup " + hierarchy.resolve(relative), e);
        }
        return new TestCgroup(current, created);
    }

    public Path dir() {
        return dir;
    }

    public void add(long pid) {
        try {
            Files.writeString(dir.resolve("cgroup.procs"), pid + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move pid " + pid + " into " + dir, e);
        }
    }

    private static boolean empty(Path cgroup) {
        try {
            return Files.readString(cgroup.resolve("cgroup.procs")).isBlank();
        } catch (IOException e) {
            return true; // already removed
        }
    }

    private static boolean hasChildCgroups(Path cgroup) {
        try (var children = Files.list(cgroup)) {
            return children.anyMatch(Files::isDirectory);
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        List<String> failures = new ArrayList<>();
        while (!created.isEmpty()) {
            Path next = created.pop();
            // A killed process leaves its cgroup once it is reaped; rmdir fails with EBUSY until then.
            Eventually.await(EMPTY_DEADLINE, () -> empty(next), () -> next + " still has processes");
            try {
                Files.deleteIfExists(next);
            } catch (IOException e) {
                // A shared parent (kubepods) that another test still uses refuses rmdir: leave it to them.
                if (!hasChildCgroups(next)) {
                    failures.add(next + ": " + e);
                }
            }
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException("cgroup cleanup failed: " + failures);
        }
    }
}
