// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Runs the system's own tools (ip, stat) so that tests check the resolver against independent answers. */
public final class Commands {

    private Commands() {}

    /** Runs the command and returns its output, or throws naming the command, its exit code and output. */
    public static String run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int rc = p.waitFor();
            if (rc != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited " + rc + ": " + out.strip());
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + String.join(" ", command), e);
        }
    }

    /** The inode of a file after following links, as stat(1) reports it. */
    public static long inodeOf(String path) {
        return Long.parseLong(run("stat", "-L", "-c", "%i", path).strip());
    }
}
