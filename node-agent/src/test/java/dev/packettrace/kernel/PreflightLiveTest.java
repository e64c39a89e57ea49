// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.packettrace.testing.Privileged;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** This machine, as root with a BTF kernel, must pass every check. */
@Tag("privileged")
class PreflightLiveTest {

    @Test
    void rootOnThisKernelHasNoProblems() {
        Privileged.requireRoot();
        PreflightReport r = Preflight.forThisProcess().run();
        assertEquals(List.of(), r.problems());
        assertEquals(List.of(), r.warnings());
    }
}
