// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** The running kernel's build configuration, from /proc/config.gz or /boot/config-RELEASE: an independent source of truth. */
public final class KernelConfig {

    private KernelConfig() {}

    /** Whether the option is built in or a module; the test fails when the configuration cannot be found. */
    public static boolean enabled(String option) {
        String config = read();
        return config.lines().anyMatch(l -> l.equals(option + "=y") || l.equals(option + "=m"));
    }

    private static String read() {
        Path proc = Path.of("/proc/config.gz");
        try {
            if (Files.exists(proc)) {
                try (InputStream in = new GZIPInputStream(Files.newInputStream(proc))) {
                    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
            String release =
                    Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
            Path boot = Path.of("/boot/config-" + release);
            if (Files.exists(boot)) {
                return Files.readString(boot);
            }
        } catch (IOException e) {
            fail("cannot read the kernel configuration: " + e.getMessage());
        }
        return fail("no kernel configuration: neither /proc/config.gz nor /boot/config-RELEASE exists");
    }
}
