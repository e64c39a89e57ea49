// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.agent.netns;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the inode that identifies a network namespace, the number the tracer filters on. */
public final class NetnsInode {

    private static final Pattern NS_LINK = Pattern.compile("([a-z_]+):\\[(\\d+)]");

    private NetnsInode() {}

    /**
     * The network namespace inode behind {@code nsFile}. {@code /proc/PID/ns/net} is a magic link whose
     * text is {@code net:[INODE]}; that text is read first because it needs no access to the namespace
     * file itself. Anything else (a bind mount such as {@code /run/netns/NAME}, or a link without that
     * text) is identified by the inode of the file it resolves to.
     *
     * @throws IOException as the file system reports it: {@link java.nio.file.NoSuchFileException} when
     *     the process is gone, {@link java.nio.file.AccessDeniedException} without the right to inspect it,
     *     or a {@link FileSystemException} naming the file when it is some other kind of namespace
     */
    public static long of(Path nsFile) throws IOException {
        if (Files.isSymbolicLink(nsFile)) {
            String text = Files.readSymbolicLink(nsFile).toString();
            Matcher m = NS_LINK.matcher(text);
            if (m.matches()) {
                if (!m.group(1).equals("net")) {
                    throw new FileSystemException(
                            nsFile.toString(),
                            null,
                            "is a " + m.group(1) + " namespace (" + text + "), not a network namespace");
                }
                return Long.parseLong(m.group(2));
            }
        }
        Object ino = Files.getAttribute(nsFile, "unix:ino");
        return ((Number) ino).longValue();
    }
}
