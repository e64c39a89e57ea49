// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.chart;

import static org.junit.jupiter.api.Assertions.*;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import dev.packettrace.operator.OperatorConfig;
import dev.packettrace.operator.daemonset.AgentDaemonSet;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * helm lint and helm template on the chart, the rendered objects parsed with Fabric8. The agents' pod spec
 * is not in the chart (the operator creates the DaemonSet when a trace needs it), so the agent checks feed
 * the operator's environment as rendered by the chart into the operator's own configuration and DaemonSet
 * builder: what the test looks at is what the operator would create from these values.
 */
class ChartRenderTest {

    static final List<String> TRACER_CAPABILITIES = List.of("BPF", "PERFMON", "SYSLOG", "SYS_PTRACE", "SYS_RESOURCE");

    @Test
    void lintIsCleanInStrictMode() {
        LintResult lint = new Helm(Chart.DIR).lint().strict().call();
        assertFalse(lint.isFailed(), "helm lint --strict: " + lint.getMessages());
        List<String> notInfo =
                lint.getMessages().stream().filter(m -> !m.startsWith("[INFO]")).toList();
        assertEquals(List.of(), notInfo, "only informational lint messages");
    }

    @Test
    void rbacIsExactlyTheGeneratedRbac() throws IOException {
        Chart.Rendered rendered = Chart.render();
        for (String file : List.of("operator.yaml", "node-agent.yaml")) {
            List<HasMetadata> generated = Chart.parse(
                    Files.readString(Chart.ROOT.resolve("operator/rbac").resolve(file)));
            assertFalse(generated.isEmpty(), file);
            for (HasMetadata g : generated) {
                HasMetadata r = rendered.one(g.getClass(), g.getMetadata().getName());
                assertEquals(
                        g.getMetadata().getNamespace(),
                        r.getMetadata().getNamespace(),
                        g.getKind() + " " + g.getMetadata().getName());
                switch (g) {
                    case ClusterRole cr ->
                        assertEquals(
                                cr.getRules(),
                                ((ClusterRole) r).getRules(),
                                "rules of ClusterRole " + cr.getMetadata().getName());
                    case Role role ->
                        assertEquals(
                                role.getRules(),
                                ((Role) r).getRules(),
                                "rules of Role " + role.getMetadata().getName());
                    case ClusterRoleBinding b -> {
                        assertEquals(b.getRoleRef(), ((ClusterRoleBinding) r).getRoleRef());
                        assertEquals(b.getSubjects(), ((ClusterRoleBinding) r).getSubjects());
                    }
                    case RoleBinding b -> {
                        assertEquals(b.getRoleRef(), ((RoleBinding) r).getRoleRef());
                        assertEquals(b.getSubjects(), ((RoleBinding) r).getSubjects());
                    }
                    case ServiceAccount sa -> assertNotNull(r);
                    default -> fail("unexpected kind in " + file + ": " + g.getKind());
                }
            }
            long renderedRbac = rendered.objects().stream()
                    .filter(o -> o.getKind().matches("ServiceAccount|ClusterRole|Role|ClusterRoleBinding|RoleBinding"))
                    .filter(o -> o.getMetadata()
                            .getName()
                            .equals(generated.getFirst().getMetadata().getName()))
                    .count();
            assertEquals(generated.size(), renderedRbac, "no RBAC object beyond the generated ones for " + file);
        }
    }

    @Test
    void rbacRulesAreTheDocumentedLeastPrivilegeSet() {
        Chart.Rendered rendered = Chart.render();
        // operator/README.md, section RBAC
        assertEquals(
                Map.of(
                        "packettrace.dev/packettraces", "get,list,patch,watch",
                        "packettrace.dev/packettraces/status", "update",
                        "packettrace.dev/packettracereports", "get,list,watch",
                        "/pods", "get,list,watch",
                        "/events", "create"),
                rules(rendered.one(ClusterRole.class, "packettrace-operator").getRules()));
        assertEquals(
                Map.of(
                        "apps/daemonsets", "create,delete,get,list,update,watch",
                        "apps/deployments", "get",
                        "coordination.k8s.io/leases", "create,get,patch,update"),
                rules(rendered.one(Role.class, "packettrace-operator").getRules()));
        assertEquals(
                Chart.NAMESPACE,
                rendered.one(Role.class, "packettrace-operator").getMetadata().getNamespace(),
                "DaemonSets and leases only in the release's namespace");
        assertEquals(
                Map.of(
                        "packettrace.dev/packettraces", "get,list,watch",
                        "packettrace.dev/packettracereports", "create,get,update",
                        "/pods", "get,list,watch"),
                rules(rendered.one(ClusterRole.class, "packettrace-node-agent").getRules()));
        assertTrue(rendered.all(Role.class).stream()
                .noneMatch(r -> r.getMetadata().getName().equals("packettrace-node-agent")));
    }

    @Test
    void anotherReleaseAndNamespaceRenameEverythingConsistently() {
        Chart.Rendered rendered = Chart.render("edge", "tracing", "");
        String operator = "edge-packettrace-operator";
        String agent = "edge-packettrace-node-agent";
        Deployment deployment = rendered.one(Deployment.class, operator);
        assertEquals("tracing", deployment.getMetadata().getNamespace());
        assertEquals(operator, deployment.getSpec().getTemplate().getSpec().getServiceAccountName());
        Map<String, String> env = env(deployment);
        assertEquals("tracing", env.get("PACKETTRACE_NAMESPACE"));
        assertEquals(agent, env.get("PACKETTRACE_AGENT_SERVICE_ACCOUNT"));
        assertEquals(agent, env.get("PACKETTRACE_AGENT_DAEMONSET"));
        assertEquals(operator + "-leader", env.get("PACKETTRACE_LEASE_NAME"));
        assertEquals(operator, env.get("PACKETTRACE_OPERATOR_DEPLOYMENT"), "the DaemonSet's owner is this Deployment");
        assertEquals(
                new Subject(null, "ServiceAccount", operator, "tracing"),
                rendered.one(ClusterRoleBinding.class, operator).getSubjects().getFirst());
        assertEquals(
                operator,
                rendered.one(ClusterRoleBinding.class, operator).getRoleRef().getName());
        assertEquals(
                new Subject(null, "ServiceAccount", agent, "tracing"),
                rendered.one(ClusterRoleBinding.class, agent).getSubjects().getFirst());
        assertEquals(
                "tracing",
                rendered.one(ServiceAccount.class, agent).getMetadata().getNamespace());
        assertEquals(
                "tracing",
                rendered.one(RoleBinding.class, operator).getMetadata().getNamespace());
        assertEquals("tracing", rendered.one(Role.class, operator).getMetadata().getNamespace());
        assertEquals(
                deployment.getSpec().getSelector().getMatchLabels(),
                subset(
                        deployment.getSpec().getTemplate().getMetadata().getLabels(),
                        deployment.getSpec().getSelector().getMatchLabels().keySet()),
                "the selector matches the pod template");
    }

    @Test
    void operatorRunsAsNonRootOnAReadOnlyFilesystemWithNoCapabilities() {
        Deployment d = Chart.render().one(Deployment.class, "packettrace-operator");
        PodSpec pod = d.getSpec().getTemplate().getSpec();
        assertTrue(pod.getSecurityContext().getRunAsNonRoot());
        assertEquals(65532L, pod.getSecurityContext().getRunAsUser());
        assertEquals(
                "RuntimeDefault", pod.getSecurityContext().getSeccompProfile().getType());
        Container c = pod.getContainers().getFirst();
        assertEquals("packettrace/operator:0.1.0", c.getImage());
        assertFalse(c.getSecurityContext().getAllowPrivilegeEscalation());
        assertTrue(c.getSecurityContext().getReadOnlyRootFilesystem());
        assertEquals(List.of("ALL"), c.getSecurityContext().getCapabilities().getDrop());
        assertTrue(c.getSecurityContext().getCapabilities().getAdd().isEmpty());
        assertNull(pod.getHostPID(), "only the agents share the host's PID namespace");
        assertEquals(
                List.of("/tmp"),
                c.getVolumeMounts().stream().map(m -> m.getMountPath()).toList());
        assertNotNull(pod.getVolumes().getFirst().getEmptyDir(), "/tmp is an emptyDir, not the host");
    }

    @Test
    void defaultsGiveAgentsTheTracersSecurityContextMountsAndEveryNode() {
        Deployment d = Chart.render().one(Deployment.class, "packettrace-operator");
        OperatorConfig config = OperatorConfig.fromEnv(env(d));
        PodSpec agent = agentPod(config);
        Container c = agent.getContainers().getFirst();

        assertEquals("packettrace/node-agent:0.1.0", c.getImage());
        assertEquals("packettrace-node-agent", agent.getServiceAccountName());
        assertTrue(agent.getHostPID(), "hostPID: target pods' processes and their namespaces");
        var sc = c.getSecurityContext();
        assertFalse(sc.getPrivileged());
        assertFalse(sc.getAllowPrivilegeEscalation());
        assertTrue(sc.getReadOnlyRootFilesystem());
        assertEquals(TRACER_CAPABILITIES, sc.getCapabilities().getAdd());
        assertEquals(List.of("ALL"), sc.getCapabilities().getDrop());

        Map<String, String> mounts = new TreeMap<>();
        c.getVolumeMounts()
                .forEach(m -> mounts.put(
                        m.getMountPath(), m.getName() + (Boolean.TRUE.equals(m.getReadOnly()) ? " ro" : " rw")));
        assertEquals(
                Map.of(
                        "/sys/kernel/btf",
                        "btf ro",
                        "/host/sys/fs/cgroup",
                        "cgroup ro",
                        "/host/proc",
                        "proc ro",
                        "/sys/kernel/tracing",
                        "tracefs ro",
                        "/var/log/packettrace",
                        "sink rw"),
                mounts);
        Map<String, String> hostPaths = new TreeMap<>();
        agent.getVolumes()
                .forEach(v -> hostPaths.put(v.getName(), v.getHostPath().getPath()));
        assertEquals(
                Map.of(
                        "btf",
                        "/sys/kernel/btf",
                        "cgroup",
                        "/sys/fs/cgroup",
                        "proc",
                        "/proc",
                        "tracefs",
                        "/sys/kernel/tracing",
                        "sink",
                        "/var/log/packettrace"),
                hostPaths);

        // every node, control plane and tainted nodes included
        List<Taint> taints = List.of(
                taint("node-role.kubernetes.io/control-plane", null, "NoSchedule"),
                taint("node.kubernetes.io/not-ready", null, "NoExecute"),
                taint("node.kubernetes.io/unreachable", null, "NoExecute"),
                taint("dedicated", "gpu", "NoSchedule"),
                taint("node.kubernetes.io/disk-pressure", null, "NoSchedule"));
        for (Taint t : taints) {
            assertTrue(
                    agent.getTolerations().stream().anyMatch(tol -> tolerates(tol, t)),
                    "agents tolerate " + t.getKey());
        }
        assertNull(agent.getNodeSelector());
        assertNull(agent.getPriorityClassName());
        assertEquals("512Mi", c.getResources().getLimits().get("memory").toString());
        assertEquals("50m", c.getResources().getRequests().get("cpu").toString());
        assertFalse(config.allowPacketContent(), "packet contents forbidden by default");
        assertEquals(OperatorConfig.CapPolicy.CLAMP, config.capPolicy());
    }

    @Test
    void valuesReachTheOperatorAndTheAgents() {
        Deployment d = Chart.render("""
                agent:
                  image: {repository: registry.example/pt/node-agent, tag: 1.2.3, pullPolicy: Always}
                  nodeSelector: {kubernetes.io/os: linux, pool: apps}
                  tolerations: [{key: dedicated, operator: Equal, value: db, effect: NoSchedule}]
                  priorityClassName: system-node-critical
                  capabilities: [BPF, PERFMON, SYSLOG, SYS_PTRACE, SYS_RESOURCE, SYS_ADMIN]
                  resources: {requests: {cpu: 100m, memory: 256Mi}, limits: {memory: 1Gi}}
                  logSink: {type: file, file: events.jsonl, hostDirectory: /data/packettrace}
                packetContent: {allowed: true}
                limits: {maxDuration: 2h, maxEventsPerTrace: 5000, maxTracesPerNode: 2, capPolicy: reject}
                timeouts: {pending: 2m, detach: 30s, idleGracePeriod: 1m}
                operator: {leaderElection: false}
                """).one(Deployment.class, "packettrace-operator");
        OperatorConfig config = OperatorConfig.fromEnv(env(d));
        PodSpec agent = agentPod(config);
        Container c = agent.getContainers().getFirst();

        assertEquals("registry.example/pt/node-agent:1.2.3", c.getImage());
        assertEquals("Always", c.getImagePullPolicy());
        assertEquals(Map.of("kubernetes.io/os", "linux", "pool", "apps"), agent.getNodeSelector());
        assertEquals(1, agent.getTolerations().size());
        assertFalse(tolerates(
                agent.getTolerations().getFirst(), taint("node-role.kubernetes.io/control-plane", null, "NoSchedule")));
        assertTrue(tolerates(agent.getTolerations().getFirst(), taint("dedicated", "db", "NoSchedule")));
        assertEquals("system-node-critical", agent.getPriorityClassName());
        assertTrue(c.getSecurityContext().getCapabilities().getAdd().contains("SYS_ADMIN"));
        assertTrue(c.getSecurityContext().getAllowPrivilegeEscalation(), "Kubernetes requires it next to SYS_ADMIN");
        assertEquals("1Gi", c.getResources().getLimits().get("memory").toString());
        assertEquals(
                "/data/packettrace",
                agent.getVolumes().stream()
                        .filter(v -> v.getName().equals("sink"))
                        .findFirst()
                        .orElseThrow()
                        .getHostPath()
                        .getPath());
        assertEquals("/var/log/packettrace/events.jsonl", env(c).get("PACKETTRACE_SINK"));
        assertTrue(config.allowPacketContent());
        assertEquals(java.time.Duration.ofHours(2), config.maxDuration());
        assertEquals(5000, config.maxEventsPerTrace());
        assertEquals(2, config.maxTracesPerNode());
        assertEquals(OperatorConfig.CapPolicy.REJECT, config.capPolicy());
        assertEquals(java.time.Duration.ofMinutes(2), config.pendingTimeout());
        assertEquals(java.time.Duration.ofSeconds(30), config.detachTimeout());
        assertEquals(java.time.Duration.ofMinutes(1), config.idleGracePeriod());
        assertFalse(config.leaderElection());
    }

    @Test
    void privilegedSwitchAndDigest() {
        Deployment d = Chart.render("""
                agent:
                  privileged: true
                  image: {repository: registry.example/pt/node-agent, tag: ignored, digest: "sha256:%s", pullPolicy: IfNotPresent}
                """.formatted("ab".repeat(32))).one(Deployment.class, "packettrace-operator");
        PodSpec agent = agentPod(OperatorConfig.fromEnv(env(d)));
        var sc = agent.getContainers().getFirst().getSecurityContext();
        assertTrue(sc.getPrivileged());
        assertNull(sc.getCapabilities());
        assertEquals(
                "registry.example/pt/node-agent@sha256:" + "ab".repeat(32),
                agent.getContainers().getFirst().getImage());
    }

    @Test
    void notesTellHowToStartAFirstTraceAndWhatTheClusterAllows() {
        String forbidden = Chart.installDryRun("");
        assertTrue(forbidden.contains("kind: PacketTrace"), forbidden);
        assertTrue(forbidden.contains("kubectl -n default get packettraces -w"), forbidden);
        assertTrue(forbidden.contains("{.status.summary.verdict}"), forbidden);
        assertTrue(forbidden.contains("packet contents (spec.output.packetContent): forbidden"), forbidden);
        String allowed = Chart.installDryRun("packetContent: {allowed: true}\nagent: {logSink: {type: file}}");
        assertTrue(allowed.contains("packet contents (spec.output.packetContent): ALLOWED"), allowed);
        assertTrue(allowed.contains("go to /var/log/packettrace/events.jsonl on each node"), allowed);
    }

    static PodSpec agentPod(OperatorConfig config) {
        return AgentDaemonSet.desired(config, new TreeSet<>(List.of("node-a")), Optional.empty(), Optional.empty())
                .getSpec()
                .getTemplate()
                .getSpec();
    }

    static Map<String, String> env(Deployment d) {
        return env(d.getSpec().getTemplate().getSpec().getContainers().getFirst());
    }

    static Map<String, String> env(Container c) {
        Map<String, String> env = new TreeMap<>();
        for (EnvVar e : c.getEnv()) {
            if (e.getValue() != null) {
                assertNull(env.put(e.getName(), e.getValue()), "set twice: " + e.getName());
            }
        }
        return env;
    }

    static Map<String, String> rules(List<PolicyRule> rules) {
        Map<String, String> byResource = new TreeMap<>();
        for (PolicyRule r : rules) {
            assertEquals(1, r.getApiGroups().size(), "one API group per rule");
            for (String resource : r.getResources()) {
                byResource.put(
                        r.getApiGroups().getFirst() + "/" + resource,
                        r.getVerbs().stream().sorted().collect(Collectors.joining(",")));
            }
            assertTrue(r.getResourceNames().isEmpty(), "no rule is limited to named objects");
        }
        return byResource;
    }

    static Map<String, String> subset(Map<String, String> map, java.util.Set<String> keys) {
        return map.entrySet().stream()
                .filter(e -> keys.contains(e.getKey()))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    static Taint taint(String key, String value, String effect) {
        return new TaintBuilder()
                .withKey(key)
                .withValue(value)
                .withEffect(effect)
                .build();
    }

    /** Kubernetes' toleration matching (k8s.io/api/core/v1 Toleration.ToleratesTaint). */
    static boolean tolerates(Toleration t, Taint taint) {
        if (t.getEffect() != null && !t.getEffect().isEmpty() && !t.getEffect().equals(taint.getEffect())) {
            return false;
        }
        String key = t.getKey() == null ? "" : t.getKey();
        if (!key.isEmpty() && !key.equals(taint.getKey())) {
            return false;
        }
        String op = t.getOperator() == null || t.getOperator().isEmpty() ? "Equal" : t.getOperator();
        return switch (op) {
            case "Exists" -> true;
            case "Equal" ->
                !key.isEmpty()
                        && java.util.Objects.equals(
                                t.getValue() == null ? "" : t.getValue(),
                                taint.getValue() == null ? "" : taint.getValue());
            default -> false;
        };
    }
}
