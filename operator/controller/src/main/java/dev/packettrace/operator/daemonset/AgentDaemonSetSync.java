// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.operator.daemonset;

import dev.packettrace.api.rbac.RequiresRbac;
import dev.packettrace.api.v1alpha1.PacketTrace;
import dev.packettrace.operator.OperatorConfig;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;
import java.util.SortedSet;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Brings the node-agent DaemonSet in line with what the traces need ({@link AgentDaemonSetPlanner}).
 * Called by every trace reconcile and by the DaemonSet's own reconciler; these run concurrently, so
 * writes carry the resourceVersion they were computed from and a conflict means: read again, plan again.
 */
@RequiresRbac(
        subject = RequiresRbac.Subject.OPERATOR,
        apiGroup = "apps",
        resource = "daemonsets",
        verbs = {"get", "list", "watch", "create", "update", "delete"},
        why = "manage the node-agent DaemonSet, which lives in the operator's namespace",
        scope = RequiresRbac.Scope.OWN_NAMESPACE)
@RequiresRbac(
        subject = RequiresRbac.Subject.OPERATOR,
        apiGroup = "apps",
        resource = "deployments",
        verbs = {"get"},
        why =
                "read the operator's own Deployment, the owner of the node-agent DaemonSet (uninstalling the operator removes the agents)",
        scope = RequiresRbac.Scope.OWN_NAMESPACE)
public final class AgentDaemonSetSync {

    private static final System.Logger LOG = System.getLogger(AgentDaemonSetSync.class.getName());
    static final int MAX_ATTEMPTS = 5;

    private final KubernetesClient client;
    private final OperatorConfig config;
    private final Clock clock;
    /** Every reconcile syncs: say once, not on each, that the configured owner is missing. */
    private final AtomicBoolean ownerMissingLogged = new AtomicBoolean();

    public AgentDaemonSetSync(KubernetesClient client, OperatorConfig config, Clock clock) {
        this.client = client;
        this.config = config;
        this.clock = clock;
    }

    /**
     * Called by trace reconciles, which pass the trace they just planned with its fresh status: they are
     * the authority on which nodes need agents. Returns when to look again (the grace period running out).
     */
    public Optional<Duration> sync(Collection<PacketTrace> traces) {
        return apply(AgentDaemonSetPlanner.nodesNeeded(traces));
    }

    /**
     * Called by the DaemonSet's own reconciler, whose view of traces may lag behind the trace reconciles
     * (a new trace has no status yet, a finished one may still list nodes). It therefore never moves the
     * agents; it only runs out the idle period once no trace is live and no agent is still attached.
     */
    Optional<Duration> syncIdle(Collection<PacketTrace> traces) {
        boolean anyLive = traces.stream()
                .anyMatch(t -> t.getMetadata().getDeletionTimestamp() == null
                        && !t.statusOrEmpty().phaseOrPending().isTerminal());
        if (anyLive || !AgentDaemonSetPlanner.nodesNeeded(traces).isEmpty()) {
            return Optional.empty(); // the trace reconciles own the DaemonSet while anything is going on
        }
        return apply(java.util.Collections.emptySortedSet());
    }

    private Optional<Duration> apply(SortedSet<String> needed) {
        Optional<OwnerReference> owner = owner();
        KubernetesClientException last = null;
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            var op = client.apps()
                    .daemonSets()
                    .inNamespace(config.operatorNamespace())
                    .withName(config.agentDaemonSetName());
            Optional<DaemonSet> existing = Optional.ofNullable(op.get());
            AgentDaemonSetPlanner.Plan plan =
                    AgentDaemonSetPlanner.plan(config, needed, existing, clock.instant(), owner);
            try {
                switch (plan.action()) {
                    case AgentDaemonSetPlanner.Action.None none -> {}
                    case AgentDaemonSetPlanner.Action.Create c -> {
                        client.resource(c.desired()).create();
                        LOG.log(
                                System.Logger.Level.INFO,
                                "daemonset=" + config.agentDaemonSetName() + " action=create nodes=" + needed);
                    }
                    case AgentDaemonSetPlanner.Action.Update u -> {
                        u.desired()
                                .getMetadata()
                                .setResourceVersion(
                                        existing.orElseThrow().getMetadata().getResourceVersion());
                        client.resource(u.desired()).update();
                        LOG.log(
                                System.Logger.Level.INFO,
                                "daemonset=" + config.agentDaemonSetName() + " action=update nodes="
                                        + AgentDaemonSet.nodesOf(u.desired()) + " idleSince="
                                        + u.desired()
                                                .getMetadata()
                                                .getAnnotations()
                                                .getOrDefault(AgentDaemonSet.IDLE_SINCE, "-"));
                    }
                    case AgentDaemonSetPlanner.Action.Delete d -> {
                        client.resource(existing.orElseThrow()).delete();
                        LOG.log(
                                System.Logger.Level.INFO,
                                "daemonset=" + config.agentDaemonSetName() + " action=delete reason=idle");
                    }
                }
                return plan.requeueAfter();
            } catch (KubernetesClientException e) {
                if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                    throw new KubernetesClientException(
                            "cannot " + plan.action().getClass().getSimpleName().toLowerCase() + " DaemonSet "
                                    + config.operatorNamespace() + "/" + config.agentDaemonSetName() + ": "
                                    + e.getMessage(),
                            e);
                }
                last = e; // another reconcile wrote first: plan again from what is there now
            }
        }
        throw new KubernetesClientException(
                "DaemonSet " + config.operatorNamespace() + "/" + config.agentDaemonSetName() + " kept changing under "
                        + MAX_ATTEMPTS + " attempts",
                last);
    }

    /**
     * The operator's Deployment as the DaemonSet's owner, so that the garbage collector removes the
     * privileged agents with the operator. Read on every sync: a reinstalled operator has a new uid. Not
     * blockOwnerDeletion, which would need update rights on the Deployment's finalizers.
     */
    private Optional<OwnerReference> owner() {
        return config.operatorDeployment().flatMap(name -> {
            Deployment d = client.apps()
                    .deployments()
                    .inNamespace(config.operatorNamespace())
                    .withName(name)
                    .get();
            if (d == null) {
                if (ownerMissingLogged.compareAndSet(false, true)) {
                    LOG.log(
                            System.Logger.Level.WARNING,
                            "daemonset=" + config.agentDaemonSetName() + " owner=deployment/" + name
                                    + " result=notFound: the DaemonSet gets no owner and stays if the operator is removed;"
                                    + " check PACKETTRACE_OPERATOR_DEPLOYMENT");
                }
                return Optional.empty();
            }
            ownerMissingLogged.set(false);
            return Optional.of(new OwnerReferenceBuilder()
                    .withApiVersion("apps/v1")
                    .withKind("Deployment")
                    .withName(name)
                    .withUid(d.getMetadata().getUid())
                    .withController(true)
                    .build());
        });
    }
}
