// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.bindings;

import java.util.Map;

/** errno numbers as names and text, for messages. */
public final class Errno {

    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int E2BIG = 7;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int EINVAL = 22;
    public static final int ENOSPC = 28;
    public static final int EINTR = 4;
    public static final int ENOTSUP = 95;
    /** kprobes by name: the name is ambiguous (several static functions share it). */
    public static final int EADDRNOTAVAIL = 99;

    public static final int ENOTSUPP = 524;

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(EPERM, "EPERM"),
            Map.entry(ENOENT, "ENOENT"),
            Map.entry(ESRCH, "ESRCH"),
            Map.entry(E2BIG, "E2BIG"),
            Map.entry(EBADF, "EBADF"),
            Map.entry(EAGAIN, "EAGAIN"),
            Map.entry(ENOMEM, "ENOMEM"),
            Map.entry(EACCES, "EACCES"),
            Map.entry(EBUSY, "EBUSY"),
            Map.entry(EEXIST, "EEXIST"),
            Map.entry(EINVAL, "EINVAL"),
            Map.entry(ENOSPC, "ENOSPC"),
            Map.entry(EINTR, "EINTR"),
            Map.entry(ENOTSUP, "EOPNOTSUPP"),
            Map.entry(EADDRNOTAVAIL, "EADDRNOTAVAIL"),
            Map.entry(ENOTSUPP, "ENOTSUPP"));

    private Errno() {}

    public static String name(int errno) {
        return NAMES.getOrDefault(errno, "errno " + errno);
    }

    /** The C library's text for errno (strerror), or the libbpf-specific meaning for its own codes. */
    public static String describe(int errno) {
        if (errno == ENOTSUPP) {
            return "operation not supported by this kernel";
        }
        // describing an error must not fail in turn, not even when libbpf (and so Native) cannot load
        try {
            return Native.string(Native.strerror(errno)).orElse("unknown error");
        } catch (Throwable t) {
            return "unknown error";
        }
    }
}
