package dev.packettrace.operator;

import dev.packettrace.api.v1alpha1.SinkSpec;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
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
 * on older kernels. It drops every other capability, runs with a read-only root filesystem, and mounts only
 * /var/log/packettrace from the host (the hostPath sink).
 *
 * <p>The update strategy is OnDelete: a new target node changes the affinity, and with RollingUpdate
 * that would restart the agents on every other node in the middle of their traces. Pods on nodes that
 * leave the affinity are still removed by the DaemonSet controller.
 */
final class AgentDaemonSet {

    static final String APP_LABEL = "app.kubernetes.io/name";
    static final String APP = "packettrace-node-agent";
    static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
    static final String MANAGED_BY = "packettrace-operator";
    /** Set while no trace needs agents: when the idle grace period started. */
    static final String IDLE_SINCE = "packettrace.dev/idle-since";
    /** Hash of the spec the operator last wrote: the API server adds defaults, so specs are not compared directly. */
    static final String SPEC_HASH = "packettrace.dev/spec-hash";

    private AgentDaemonSet() {
    }

    static DaemonSet desired(OperatorConfig c, SortedSet<String> nodes, Optional<String> idleSince) {
        DaemonSet ds = new DaemonSetBuilder()
                .withNewMetadata()
                    .withName(c.agentDaemonSetName())
                    .withNamespace(c.operatorNamespace())
                    .withLabels(Map.of(APP_LABEL, APP, MANAGED_BY_LABEL, MANAGED_BY))
                .endMetadata()
                .withNewSpec()
                    .withNewSelector().withMatchLabels(Map.of(APP_LABEL, APP)).endSelector()
                    .withNewUpdateStrategy().withType("OnDelete").endUpdateStrategy()
                    .withNewTemplate()
                        .withNewMetadata().withLabels(Map.of(APP_LABEL, APP, MANAGED_BY_LABEL, MANAGED_BY)).endMetadata()
                        .withNewSpec()
                            .withServiceAccountName(c.agentServiceAccount())
                            .withHostPID(true)
                            .withPriorityClassName(c.agentPriorityClassName().orElse(null))
                            .withTolerations(c.agentTolerations())
                            .withNewAffinity().withNewNodeAffinity().withNewRequiredDuringSchedulingIgnoredDuringExecution()
                                .addNewNodeSelectorTerm()
                                    .withMatchFields(new NodeSelectorRequirementBuilder()
                                            .withKey("metadata.name").withOperator("In").withValues(List.copyOf(nodes)).build())
                                .endNodeSelectorTerm()
                            .endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().endAffinity()
                            .addNewContainer()
                                .withName("agent")
                                .withImage(c.agentImage())
                                .withImagePullPolicy(c.agentImagePullPolicy())
                                .withArgs("agent")
                                .withEnv(new EnvVarBuilder().withName("NODE_NAME").withNewValueFrom().withNewFieldRef()
                                                .withFieldPath("spec.nodeName").endFieldRef().endValueFrom().build(),
                                        new EnvVarBuilder().withName("POD_NAMESPACE").withNewValueFrom().withNewFieldRef()
                                                .withFieldPath("metadata.namespace").endFieldRef().endValueFrom().build())
                                .withResources(c.agentResources())
                                .withNewSecurityContext()
                                    .withPrivileged(false)
                                    // Kubernetes refuses allowPrivilegeEscalation=false next to CAP_SYS_ADMIN (needed only before Linux 5.8).
                                    .withAllowPrivilegeEscalation(c.agentCapabilities().contains("SYS_ADMIN"))
                                    .withReadOnlyRootFilesystem(true)
                                    .withRunAsUser(0L)
                                    .withNewCapabilities().withAdd(c.agentCapabilities()).withDrop("ALL").endCapabilities()
                                .endSecurityContext()
                                .addNewVolumeMount().withName("sink").withMountPath(SinkSpec.HOST_PATH_ROOT).endVolumeMount()
                            .endContainer()
                            .addNewVolume().withName("sink").withNewHostPath().withPath(SinkSpec.HOST_PATH_ROOT)
                                .withType("DirectoryOrCreate").endHostPath().endVolume()
                        .endSpec()
                    .endTemplate()
                .endSpec()
                .build();
        ds.getMetadata().setAnnotations(new java.util.TreeMap<>(Map.of(SPEC_HASH, hash(ds))));
        idleSince.ifPresent(t -> ds.getMetadata().getAnnotations().put(IDLE_SINCE, t));
        return ds;
    }

    /** The nodes a DaemonSet is pinned to, as written by {@link #desired}. */
    static List<String> nodesOf(DaemonSet ds) {
        try {
            return ds.getSpec().getTemplate().getSpec().getAffinity().getNodeAffinity()
                    .getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms().getFirst()
                    .getMatchFields().getFirst().getValues();
        } catch (RuntimeException e) {
            return List.of();
        }
    }

    static String hash(DaemonSet ds) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256")
                    .digest(new KubernetesSerialization().asJson(ds.getSpec()).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
