// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Checks, before any BPF object is loaded, that this process can trace, so that the user gets one clear
 * message per missing piece instead of a verifier or libbpf error.
 *
 * <p>kernel.unprivileged_bpf_disabled is deliberately not checked: tracing programs need CAP_BPF and
 * CAP_PERFMON (or CAP_SYS_ADMIN) whatever it says, and with those it does not apply.
 */
public final class Preflight {

    public static final Path SELF_STATUS = Path.of("/proc/self/status");
    public static final Path VMLINUX_BTF = Path.of("/sys/kernel/btf/vmlinux");

    /** BTF header magic 0xeb9f, little-endian as on x86-64 and arm64. */
    private static final int BTF_MAGIC_LE = 0x9feb;

    private static final int BTF_MAGIC_BE = 0xeb9f;

    private final Path status;
    private final Path vmlinuxBtf;

    /** Checks the given files instead of this process's; for tests with synthetic content. */
    public Preflight(Path status, Path vmlinuxBtf) {
        this.status = status;
        this.vmlinuxBtf = vmlinuxBtf;
    }

    public static Preflight forThisProcess() {
        return new Preflight(SELF_STATUS, VMLINUX_BTF);
    }

    public PreflightReport run() {
        List<PreflightProblem> problems = new ArrayList<>();
        List<PreflightProblem> warnings = new ArrayList<>();
        checkCapabilities(problems, warnings);
        checkBtf(problems);
        return new PreflightReport(problems, warnings);
    }

    private void checkCapabilities(List<PreflightProblem> problems, List<PreflightProblem> warnings) {
        Optional<Capabilities> eff;
        try {
            eff = Capabilities.fromStatus(Files.readString(status), "CapEff");
        } catch (IOException e) {
            problems.add(new PreflightProblem(
                    "capabilities", "cannot read " + status + " to find this process's capabilities: " + e));
            return;
        } catch (IllegalArgumentException e) {
            problems.add(new PreflightProblem("capabilities", status + ": " + e.getMessage()));
            return;
        }
        if (eff.isEmpty()) {
            problems.add(new PreflightProblem(
                    "capabilities",
                    status + " has no CapEff line, so the effective capabilities are unknown; is this Linux /proc?"));
            return;
        }
        Capabilities caps = eff.get();
        boolean admin = caps.has(Capability.CAP_SYS_ADMIN);
        List<String> missing = new ArrayList<>();
        if (!admin && !caps.has(Capability.CAP_BPF)) {
            missing.add("CAP_BPF");
        }
        if (!admin && !caps.has(Capability.CAP_PERFMON)) {
            missing.add("CAP_PERFMON");
        }
        if (!missing.isEmpty()) {
            problems.add(new PreflightProblem(
                    "capabilities",
                    "missing " + String.join(" and ", missing)
                            + " (effective set CapEff=" + caps + "): loading BPF programs and attaching them to"
                            + " raw tracepoints needs CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN. Run as root (sudo),"
                            + " or in Kubernetes add them to securityContext.capabilities.add: [BPF, PERFMON]."));
        }
        if (!caps.has(Capability.CAP_NET_ADMIN)) {
            warnings.add(new PreflightProblem(
                    "capabilities",
                    "missing CAP_NET_ADMIN (CapEff=" + caps
                            + "): network-side features (building the demo lab, attaching to network devices) will"
                            + " fail. Run as root, or add NET_ADMIN to securityContext.capabilities.add."));
        }
        if (!caps.has(Capability.CAP_SYSLOG)) {
            warnings.add(new PreflightProblem(
                    "capabilities",
                    "missing CAP_SYSLOG (CapEff=" + caps
                            + "): /proc/kallsyms shows every address as 0, so kernel locations are reported as raw"
                            + " addresses instead of function names. Run as root, or add SYSLOG to the capabilities."));
        }
    }

    private void checkBtf(List<PreflightProblem> problems) {
        String fix = "packettrace's CO-RE programs need the kernel's type information; use a kernel built with"
                + " CONFIG_DEBUG_INFO_BTF=y (the default in current Debian, Ubuntu, Fedora and RHEL kernels)";
        try (InputStream in = Files.newInputStream(vmlinuxBtf)) {
            int b0 = in.read();
            int b1 = in.read();
            int magic = (b0 << 8) | b1;
            if (b0 < 0 || b1 < 0 || (magic != BTF_MAGIC_LE && magic != BTF_MAGIC_BE)) {
                problems.add(new PreflightProblem(
                        "btf",
                        vmlinuxBtf + " does not start with the BTF magic 0xeb9f," + " so it is not kernel BTF; "
                                + fix));
            }
        } catch (NoSuchFileException e) {
            problems.add(
                    new PreflightProblem("btf", vmlinuxBtf + " does not exist: the kernel exposes no BTF. " + fix));
        } catch (IOException e) {
            problems.add(new PreflightProblem(
                    "btf",
                    "cannot read " + vmlinuxBtf + ": " + e
                            + "; run as root, or make /sys/kernel/btf readable to this user"));
        }
    }
}
