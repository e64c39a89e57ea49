// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a --filter-netns value into a network namespace inode:
 * <ul>
 * <li>{@code inode:N}: taken as is (the namespace may live in another mount namespace, e.g. a container's)</li>
 * <li>a path, usually {@code /proc/PID/ns/net} or {@code /run/netns/NAME}: its inode, after checking that it
 *     really is a network namespace</li>
 * </ul>
 * The check has two parts. The file must live on nsfs: its st_dev equals that of {@code /proc/self/ns/net}.
 * That alone would also accept other namespace kinds (uts, ipc, ...), which share nsfs, so the kind is read
 * from where the kernel names it: the magic link's target ({@code net:[4026531840]}) for /proc paths, or, for a
 * bind mount such as /run/netns/NAME (a plain file, not a link), the mount's root in /proc/self/mountinfo, which
 * nsfs also names {@code net:[N]}.
 */
public final class NetnsResolver {

    private static final Pattern NS_NAME = Pattern.compile("^([a-z_]+):\\[(\\d+)\\]$");
    private static final int MAX_LINKS = 40;

    private final Path selfNetns;
    private final Path mountInfo;

    public NetnsResolver() {
        this(Path.of("/proc/self/ns/net"), Path.of("/proc/self/mountinfo"));
    }

    NetnsResolver(Path selfNetns, Path mountInfo) {
        this.selfNetns = selfNetns;
        this.mountInfo = mountInfo;
    }

    /** Resolves one value; errors name {@code flag}. */
    public long resolve(String flag, String spec) {
        if (spec.startsWith("inode:")) {
            return parseInode(flag, spec);
        }
        if (spec.isBlank()) {
            throw new UsageException(flag, spec, "is empty; use /proc/PID/ns/net, /run/netns/NAME or inode:N");
        }
        Path path = Path.of(spec);
        Map<String, Object> attrs;
        try {
            attrs = Files.readAttributes(path, "unix:ino,dev");
        } catch (NoSuchFileException e) {
            throw new UsageException(flag, spec, "does not exist");
        } catch (IOException e) {
            throw new UsageException(flag, spec, "cannot be read: " + e.getMessage());
        }
        if (Files.isDirectory(path)) {
            throw new UsageException(flag, spec, "is a directory, not a network namespace");
        }
        long inode = (Long) attrs.get("ino");
        long dev = (Long) attrs.get("dev");
        if (dev != nsfsDevice()) {
            throw new UsageException(
                    flag,
                    spec,
                    "is not a network namespace (not a namespace file on nsfs;"
                            + " use /proc/PID/ns/net, /run/netns/NAME or inode:N)");
        }
        String kind = namespaceKind(path, inode)
                .orElseThrow(() -> new UsageException(
                        flag,
                        spec,
                        "is a namespace file, but its kind cannot be verified (neither a /proc/PID/ns link nor a mount"
                                + " listed in " + mountInfo + ")"));
        if (!kind.equals("net")) {
            throw new UsageException(flag, spec, "is a " + kind + " namespace, not a network namespace");
        }
        return inode;
    }

    private static long parseInode(String flag, String spec) {
        String digits = spec.substring("inode:".length());
        long inode;
        try {
            inode = Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new UsageException(flag, spec, "has no decimal inode number after 'inode:'");
        }
        if (inode <= 0 || inode > 0xffff_ffffL) {
            throw new UsageException(flag, spec, "inode must be between 1 and 4294967295");
        }
        return inode;
    }

    private long nsfsDevice() {
        try {
            return (Long) Files.getAttribute(selfNetns, "unix:dev");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stat " + selfNetns + " to identify nsfs", e);
        }
    }

    /** The namespace kind ("net", "uts", ...) of an nsfs file, from its link chain or from mountinfo. */
    private Optional<String> namespaceKind(Path path, long inode) {
        Path current = path;
        try {
            for (int i = 0; i < MAX_LINKS && Files.isSymbolicLink(current); i++) {
                String target = Files.readSymbolicLink(current).toString();
                Matcher m = NS_NAME.matcher(target);
                if (m.matches()) {
                    return Long.parseLong(m.group(2)) == inode ? Optional.of(m.group(1)) : Optional.empty();
                }
                current = current.resolveSibling(target);
            }
            return kindFromMountInfo(Files.readAllLines(mountInfo), inode);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * Finds an nsfs mount whose root is KIND:[inode]. A mountinfo line reads
     * "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTIONS".
     */
    static Optional<String> kindFromMountInfo(List<String> lines, long inode) {
        for (String line : lines) {
            String[] f = line.split(" ");
            int dash = List.of(f).indexOf("-");
            if (f.length < 5 || dash < 0 || dash + 1 >= f.length || !f[dash + 1].equals("nsfs")) {
                continue;
            }
            Matcher m = NS_NAME.matcher(f[3]);
            if (m.matches() && Long.parseLong(m.group(2)) == inode) {
                return Optional.of(m.group(1));
            }
        }
        return Optional.empty();
    }
}
