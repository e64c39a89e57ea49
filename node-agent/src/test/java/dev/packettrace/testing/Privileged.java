package dev.packettrace.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Privileged tests fail, never skip, where they cannot run: a skipped kernel test proves nothing. */
public final class Privileged {

    private Privileged() {
    }

    public static void requireRoot() {
        try {
            String status = Files.readString(Path.of("/proc/self/status"));
            boolean root = status.lines().filter(l -> l.startsWith("Uid:")).findFirst()
                    .map(l -> l.split("\\s+")[2].equals("0")).orElse(false);
            if (!root) {
                fail("privileged test: needs root (it loads BPF programs and builds network namespaces); run the suite as root");
            }
        } catch (IOException e) {
            fail("privileged test: cannot read /proc/self/status: " + e.getMessage());
        }
    }
}
