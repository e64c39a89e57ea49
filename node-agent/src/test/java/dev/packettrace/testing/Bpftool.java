// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** What the kernel has loaded, as bpftool (an independent tool) reports it. */
public final class Bpftool {

    private Bpftool() {}

    public static boolean programLoaded(int id) {
        return run(List.of("bpftool", "prog", "show", "id", Integer.toString(id))) == 0;
    }

    /** Names of every loaded program that packettrace's programs would be called (pt&lt;id&gt;_...). */
    public static List<String> packettracePrograms() {
        try {
            Process p = new ProcessBuilder("bpftool", "prog", "show")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            return out.lines()
                    .filter(l -> l.matches("^\\d+: \\w+\\s+name pt\\d+_.*"))
                    .toList();
        } catch (IOException e) {
            throw new IllegalStateException("bpftool prog show: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Lines of `bpftool prog show` for loaded programs whose name starts with the given regex. */
    public static List<String> programsNamed(String namePrefixRegex) {
        try {
            Process p = new ProcessBuilder("bpftool", "prog", "show")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            return out.lines()
                    .filter(l -> l.matches("^\\d+: \\w+\\s+name " + namePrefixRegex + ".*"))
                    .toList();
        } catch (IOException e) {
            throw new IllegalStateException("bpftool prog show: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static int run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            return p.waitFor();
        } catch (IOException e) {
            throw new IllegalStateException(String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
