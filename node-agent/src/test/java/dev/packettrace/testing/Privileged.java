// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.packettrace.kernel.Capabilities;
import dev.packettrace.kernel.Capability;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Privileged tests fail, never skip, where they cannot run: a skipped kernel test proves nothing. */
public final class Privileged {

    public static final String MESSAGE =
            "privileged test: needs root (it loads BPF programs, builds network namespaces "
                    + "and iptables rules; needs CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN and CAP_SYS_ADMIN); run the suite as root";

    private Privileged() {}

    public static void requireRoot() {
        String status;
        try {
            status = Files.readString(Path.of("/proc/self/status"));
        } catch (IOException e) {
            fail(MESSAGE + "; cannot read /proc/self/status: " + e.getMessage());
            return;
        }
        Capabilities eff = Capabilities.fromStatus(status, "CapEff").orElse(new Capabilities(0));
        assertTrue(
                eff.has(Capability.CAP_BPF)
                        && eff.has(Capability.CAP_PERFMON)
                        && eff.has(Capability.CAP_NET_ADMIN)
                        && eff.has(Capability.CAP_SYS_ADMIN),
                MESSAGE + " (CapEff=" + eff + ")");
    }
}
