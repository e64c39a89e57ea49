// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Preflight against synthetic /proc/self/status and BTF files. */
class PreflightTest {

    private static final long ROOT_CAPS = 0x000001ffffffffffL;
    private static final byte[] BTF_HEADER = {(byte) 0x9f, (byte) 0xeb, 1, 0, 24, 0, 0, 0};

    @TempDir
    Path dir;

    private PreflightReport check(long capEff) throws IOException {
        return check(status(capEff), btf(BTF_HEADER));
    }

    private PreflightReport check(Path status, Path btf) {
        return new Preflight(status, btf).run();
    }

    private Path status(long capEff) throws IOException {
        return write(
                "status",
                "Name:\tjava\nUid:\t0\t0\t0\t0\nCapInh:\t0000000000000000\nCapPrm:\t"
                        + String.format("%016x", capEff) + "\nCapEff:\t" + String.format("%016x", capEff)
                        + "\nCapBnd:\t000001ffffffffff\n");
    }

    private Path btf(byte[] content) throws IOException {
        Path p = dir.resolve("vmlinux");
        Files.write(p, content);
        return p;
    }

    private Path write(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content);
        return p;
    }

    private static long caps(Capability... caps) {
        long m = 0;
        for (Capability c : caps) {
            m |= 1L << c.bit();
        }
        return m;
    }

    private static String messages(List<PreflightProblem> problems) {
        return problems.stream().map(PreflightProblem::message).collect(Collectors.joining("\n"));
    }

    @Test
    void rootHasNoProblemsAndNoWarnings() throws IOException {
        PreflightReport r = check(ROOT_CAPS);
        assertTrue(r.ok(), messages(r.problems()));
        assertEquals(List.of(), r.problems());
        assertEquals(List.of(), r.warnings());
    }

    @Test
    void noCapabilitiesNamesBothMissingOnesAndTheFix() throws IOException {
        PreflightReport r = check(0);
        assertFalse(r.ok());
        assertEquals(1, r.problems().size());
        String m = r.problems().getFirst().message();
        assertTrue(m.contains("missing CAP_BPF and CAP_PERFMON"), m);
        assertTrue(m.contains("CAP_SYS_ADMIN"), m);
        assertTrue(m.contains("Run as root"), m);
        assertTrue(messages(r.warnings()).contains("CAP_NET_ADMIN"), messages(r.warnings()));
    }

    @Test
    void bpfAndPerfmonAreEnoughWithoutSysAdmin() throws IOException {
        PreflightReport r = check(
                caps(Capability.CAP_BPF, Capability.CAP_PERFMON, Capability.CAP_NET_ADMIN, Capability.CAP_SYSLOG));
        assertTrue(r.ok(), messages(r.problems()));
        assertEquals(List.of(), r.warnings());
    }

    @Test
    void sysAdminAloneIsEnoughToLoadButWarnsAboutTheRest() throws IOException {
        PreflightReport r = check(caps(Capability.CAP_SYS_ADMIN));
        assertTrue(r.ok(), messages(r.problems()));
        String w = messages(r.warnings());
        assertTrue(w.contains("CAP_NET_ADMIN"), w);
        assertTrue(w.contains("CAP_SYSLOG"), w);
    }

    @Test
    void perfmonWithoutBpfNamesOnlyBpf() throws IOException {
        PreflightReport r = check(caps(Capability.CAP_PERFMON, Capability.CAP_NET_ADMIN));
        assertEquals(1, r.problems().size());
        String m = r.problems().getFirst().message();
        assertTrue(m.contains("missing CAP_BPF ("), m);
        assertFalse(m.contains("missing CAP_PERFMON"), m);
    }

    @Test
    void missingCapEffLineIsAProblem() throws IOException {
        PreflightReport r = check(write("status", "Name:\tjava\n"), btf(BTF_HEADER));
        assertEquals(
                List.of("capabilities"),
                r.problems().stream().map(PreflightProblem::check).toList());
        assertTrue(r.problems().getFirst().message().contains("no CapEff line"));
    }

    @Test
    void missingBtfSaysWhichKernelOptionIsNeeded() throws IOException {
        PreflightReport r = check(status(ROOT_CAPS), dir.resolve("no-such-vmlinux"));
        assertEquals(1, r.problems().size());
        PreflightProblem p = r.problems().getFirst();
        assertEquals("btf", p.check());
        assertTrue(p.message().contains("does not exist"), p.message());
        assertTrue(p.message().contains("CONFIG_DEBUG_INFO_BTF"), p.message());
    }

    @Test
    void fileThatIsNotBtfIsAProblem() throws IOException {
        PreflightReport r = check(status(ROOT_CAPS), btf(new byte[] {0x7f, 'E', 'L', 'F'}));
        assertEquals(1, r.problems().size());
        assertTrue(
                r.problems().getFirst().message().contains("BTF magic"),
                r.problems().getFirst().message());
        assertFalse(check(status(ROOT_CAPS), btf(new byte[0])).ok(), "an empty file is not BTF");
    }
}
