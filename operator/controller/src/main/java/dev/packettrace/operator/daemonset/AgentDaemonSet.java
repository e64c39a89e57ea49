// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.operator.daemonset;

import dev.packettrace.api.v1alpha1.SinkSpec;
import dev.packettrace.operator.OperatorConfig;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;

/**
 * The node-agent DaemonSet the operator wants: pinned by node affinity to exactly the nodes that host
 * targets, with image, resources, tolerations and capabilities from the operator's configuration.
 *
 * <p>Security: the agent needs the host PID namespace (to find a pod's processes through /proc/*∕cgroup
 * and open /proc/PID/ns/net) and a few capabilities: BPF and PERFMON to load and attach the tracer, SYSLOG to
 * symbolize kernel addresses, SYS_PTRACE to read other processes' namespaces, SYS_RESOURCE for BPF memory
 * on older kernels. It drops every other capability (or, with the privileged switch, runs privileged for
 * nodes that refuse that set) and runs with a read-only root filesystem. From the host it mounts, read-only,
 * what the tracer reads ({@link #HOST_MOUNTS}), and read-write only the sink directory.
 *
 * <p>Host mounts go below /host where the container has its own view at the same path: the JVM sizes its
 * heap from the container's cgroup under /sys/fs/cgroup, and the host's cgroup tree there would make it
 * believe it had the whole node's memory. /sys/kernel/btf and tracefs have no container view to protect and
 * are mounted where the kernel's own tools look for them.
 *
 * <p>The update strategy is OnDelete: a new target node changes the affinity, and with RollingUpdate
 * that would restart the agents on every other node in the middle of their traces. Pods on nodes that
 * leave the affinity are still removed by the DaemonSet controller.
 */
public final class AgentDaemonSet {

    static final String APP_LABEL = "app.kubernetes.io/name";
    static final String APP = "packettrace-node-agent";
    static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
    static final String MANAGED_BY = "packettrace-operator";
    /** Set while no trace needs agents: when the idle grace period started. */
    public static final String IDLE_SINCE = "packettrace.dev/idle-since";
    /** Hash of the spec the operator last wrote: the API server adds defaults, so specs are not compared directly. */
    static final String SPEC_HASH = "packettrace.dev/spec-hash";

    /** A read-only host directory in the agent: volume name, path on the node, path in the container, why. */
    public record HostMount(String volume, String hostPath, String mountPath, String why) {}

    /** Where the host's /proc appears in the agent; passed to it as PACKETTRACE_PROC_ROOT. */
    public static final String HOST_PROC = "/host/proc";

    public static final List<HostMount> HOST_MOUNTS = List.of(
            new HostMount(
                    "btf",
                    "/sys/kernel/btf",
                    "/sys/kernel/btf",
                    "kernel type information: CO-RE relocations, tracepoint prototypes"),
            new HostMount(
                    "cgroup",
                    "/sys/fs/cgroup",
                    "/host/sys/fs/cgroup",
                    "the node's cgroup tree: which container a process belongs to"),
            new HostMount(
                    "proc", "/proc", HOST_PROC, "the node's processes unmasked: pods' network namespaces and cgroups"),
            new HostMount(
                    "tracefs",
                    "/sys/kernel/tracing",
                    "/sys/kernel/tracing",
                    "tracepoint formats where BTF lacks them"));

    private AgentDaemonSet() {}

    /** The DaemonSet for these nodes; public so that the Helm chart's tests can check what its values produce. */
    public static DaemonSet desired(
            OperatorConfig c, SortedSet<String> nodes, Optional<String> idleSince, Optional<OwnerReference> owner) {
        DaemonSet ds = new DaemonSetBuilder()
                .withNewMetadata()
                .withName(c.agentDaemonSetName())
                .withNamespace(c.operatorNamespace())
                .withLabels(Map.of(APP_LABEL, APP, MANAGED_BY_LABEL, MANAGED_BY))
                .withOwnerReferences(owner.stream().toList())
                .endMetadata()
                .withNewSpec()
                .withNewSelector()
                .withMatchLabels(Map.of(APP_LABEL, APP))
                .endSelector()
                .withNewUpdateStrategy()
                .withType("OnDelete")
                .endUpdateStrategy()
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(Map.of(APP_LABEL, APP, MANAGED_BY_LABEL, MANAGED_BY))
                .endMetadata()
                .withNewSpec()
                .withServiceAccountName(c.agentServiceAccount())
                .withHostPID(true)
                .withPriorityClassName(c.agentPriorityClassName().orElse(null))
                .withNodeSelector(
                        c.agentNodeSelector().isEmpty() ? null : new java.util.TreeMap<>(c.agentNodeSelector()))
                .withTolerations(c.agentTolerations())
                .withNewAffinity()
                .withNewNodeAffinity()
                .withNewRequiredDuringSchedulingIgnoredDuringExecution()
                .addNewNodeSelectorTerm()
                .withMatchFields(new NodeSelectorRequirementBuilder()
                        .withKey("metadata.name")
                        .withOperator("In")
                        .withValues(List.copyOf(nodes))
                        .build())
                .endNodeSelectorTerm()
                .endRequiredDuringSchedulingIgnoredDuringExecution()
                .endNodeAffinity()
                .endAffinity()
                .addNewContainer()
                .withName("agent")
                .withImage(c.agentImage())
                .withImagePullPolicy(c.agentImagePullPolicy())
                .withArgs("agent")
                .withEnv(
                        new EnvVarBuilder()
                                .withName("NODE_NAME")
                                .withNewValueFrom()
                                .withNewFieldRef()
                                .withFieldPath("spec.nodeName")
                                .endFieldRef()
                                .endValueFrom()
                                .build(),
                        new EnvVarBuilder()
                                .withName("POD_NAMESPACE")
                                .withNewValueFrom()
                                .withNewFieldRef()
                                .withFieldPath("metadata.namespace")
                                .endFieldRef()
                                .endValueFrom()
                                .build(),
                        new EnvVarBuilder()
                                .withName("PACKETTRACE_PROC_ROOT")
                                .withValue(HOST_PROC)
                                .build(),
                        new EnvVarBuilder()
                                .withName("PACKETTRACE_SINK")
                                .withValue(c.agentDefaultSink())
                                .build())
                .withResources(c.agentResources())
                .withSecurityContext(securityContext(c))
                .withVolumeMounts(volumeMounts())
                .endContainer()
                .withVolumes(volumes(c))
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
        ds.getMetadata().setAnnotations(new java.util.TreeMap<>(Map.of(SPEC_HASH, hash(ds))));
        idleSince.ifPresent(t -> ds.getMetadata().getAnnotations().put(IDLE_SINCE, t));
        return ds;
    }

    private static SecurityContext securityContext(OperatorConfig c) {
        if (c.agentPrivileged()) {
            // Kubernetes refuses allowPrivilegeEscalation=false on a privileged container; capabilities would be moot.
            return new SecurityContextBuilder()
                    .withPrivileged(true)
                    .withAllowPrivilegeEscalation(true)
                    .withReadOnlyRootFilesystem(true)
                    .withRunAsUser(0L)
                    .build();
        }
        return new SecurityContextBuilder()
                .withPrivileged(false)
                // Kubernetes refuses allowPrivilegeEscalation=false next to CAP_SYS_ADMIN (needed only before Linux
                // 5.8).
                .withAllowPrivilegeEscalation(c.agentCapabilities().contains("SYS_ADMIN"))
                .withReadOnlyRootFilesystem(true)
                .withRunAsUser(0L)
                .withNewCapabilities()
                .withAdd(c.agentCapabilities())
                .withDrop("ALL")
                .endCapabilities()
                .build();
    }

    private static List<VolumeMount> volumeMounts() {
        List<VolumeMount> mounts = new ArrayList<>();
        for (HostMount m : HOST_MOUNTS) {
            mounts.add(new VolumeMountBuilder()
                    .withName(m.volume())
                    .withMountPath(m.mountPath())
                    .withReadOnly(true)
                    .build());
        }
        mounts.add(new VolumeMountBuilder()
                .withName("sink")
                .withMountPath(SinkSpec.HOST_PATH_ROOT)
                .build());
        return mounts;
    }

    private static List<Volume> volumes(OperatorConfig c) {
        List<Volume> volumes = new ArrayList<>();
        for (HostMount m : HOST_MOUNTS) {
            // No hostPath type check: a node without tracefs (or BTF) should still start the agent, whose
            // preflight then names what is missing instead of a pod stuck in ContainerCreating.
            volumes.add(new VolumeBuilder()
                    .withName(m.volume())
                    .withNewHostPath()
                    .withPath(m.hostPath())
                    .endHostPath()
                    .build());
        }
        volumes.add(new VolumeBuilder()
                .withName("sink")
                .withNewHostPath()
                .withPath(c.agentSinkHostDirectory())
                .withType("DirectoryOrCreate")
                .endHostPath()
                .build());
        return volumes;
    }

    /** The nodes a DaemonSet is pinned to, as written by {@link #desired}. */
    public static List<String> nodesOf(DaemonSet ds) {
        try {
            return ds.getSpec()
                    .getTemplate()
                    .getSpec()
                    .getAffinity()
                    .getNodeAffinity()
                    .getRequiredDuringSchedulingIgnoredDuringExecution()
                    .getNodeSelectorTerms()
                    .getFirst()
                    .getMatchFields()
                    .getFirst()
                    .getValues();
        } catch (RuntimeException e) {
            return List.of();
        }
    }

    /** Of what the operator decides: the spec and the owner (an existing DaemonSet gains or changes its owner by an update). */
    static String hash(DaemonSet ds) {
        try {
            KubernetesSerialization json = new KubernetesSerialization();
            String decided =
                    json.asJson(ds.getSpec()) + json.asJson(ds.getMetadata().getOwnerReferences());
            byte[] d = MessageDigest.getInstance("SHA-256").digest(decided.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
