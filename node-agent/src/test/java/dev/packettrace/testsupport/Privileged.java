package dev.packettrace.testsupport;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packettrace.kernel.Capabilities;
import dev.packettrace.kernel.Capability;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Privileged tests call this first: without the rights they fail with a clear message instead of skipping. */
public final class Privileged {

    public static final String MESSAGE =
            "privileged test: needs root (run as root or with CAP_NET_ADMIN+CAP_SYS_ADMIN)";

    private Privileged() {
    }

    public static void require() {
        String status;
        try {
            status = Files.readString(Path.of("/proc/self/status"));
        } catch (IOException e) {
            throw new UncheckedIOException(MESSAGE + "; cannot read /proc/self/status", e);
        }
        Capabilities eff = Capabilities.fromStatus(status, "CapEff").orElse(new Capabilities(0));
        assertTrue(eff.has(Capability.CAP_NET_ADMIN) && eff.has(Capability.CAP_SYS_ADMIN),
                MESSAGE + " (CapEff=" + eff + ")");
    }
}
