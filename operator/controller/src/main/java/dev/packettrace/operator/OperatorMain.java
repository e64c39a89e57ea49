// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.operator;

import dev.packettrace.api.rbac.RequiresRbac;
import dev.packettrace.operator.daemonset.AgentDaemonSetReconciler;
import dev.packettrace.operator.trace.PacketTraceReconciler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import java.time.Clock;
import java.time.Duration;

/**
 * Starts the operator: reads the configuration from PACKETTRACE_* environment variables, registers the
 * PacketTrace and DaemonSet controllers and, unless disabled, takes part in leader election so that
 * only one of several replicas acts at a time.
 */
@RequiresRbac(
        subject = RequiresRbac.Subject.OPERATOR,
        apiGroup = "coordination.k8s.io",
        resource = "leases",
        // patch: Fabric8 renews the lease with a JSON patch (a real API server refused renewals without it)
        verbs = {"get", "create", "update", "patch"},
        why = "leader election between operator replicas (PACKETTRACE_LEADER_ELECTION)",
        scope = RequiresRbac.Scope.OWN_NAMESPACE)
public final class OperatorMain {

    private static final System.Logger LOG = System.getLogger(OperatorMain.class.getName());

    private OperatorMain() {}

    public static void main(String[] args) {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tLZ %4$s %3$s %5$s%6$s%n");
        }
        OperatorConfig config;
        try {
            config = OperatorConfig.fromEnv(System.getenv());
        } catch (OperatorConfig.ConfigException e) {
            System.err.println("packettrace-operator: " + e.getMessage());
            System.exit(2);
            return;
        }
        KubernetesClient client = new KubernetesClientBuilder().build();
        Operator operator = start(client, config, Clock.systemUTC());
        operator.installShutdownHook(Duration.ofSeconds(10));
        LOG.log(
                System.Logger.Level.INFO,
                "operator=started namespace=" + config.operatorNamespace()
                        + " leaderElection=" + config.leaderElection() + " maxDuration=" + config.maxDuration()
                        + " maxEventsPerTrace=" + config.maxEventsPerTrace() + " maxTracesPerNode="
                        + config.maxTracesPerNode()
                        + " capPolicy=" + config.capPolicy());
    }

    /** Builds, registers and starts the operator; returned so tests and callers can stop it. */
    public static Operator start(KubernetesClient client, OperatorConfig config, Clock clock) {
        Operator operator = new Operator(o -> {
            o.withKubernetesClient(client);
            o.withCloseClientOnStop(false);
            // The finalizer is added with a plain JSON patch instead of server-side apply: it works the same
            // on every API server, and the operator never shares fields of a PacketTrace with other managers.
            o.withUseSSAToPatchPrimaryResource(false);
            if (config.leaderElection()) {
                o.withLeaderElectionConfiguration(
                        new LeaderElectionConfiguration(config.leaseName(), config.operatorNamespace()));
            }
        });
        operator.register(new PacketTraceReconciler(client, config, clock), o -> o.watchingAllNamespaces());
        operator.register(
                new AgentDaemonSetReconciler(client, config, clock),
                o -> o.settingNamespace(config.operatorNamespace())
                        .withLabelSelector(AgentDaemonSetReconciler.LABEL_SELECTOR));
        operator.start();
        return operator;
    }
}
