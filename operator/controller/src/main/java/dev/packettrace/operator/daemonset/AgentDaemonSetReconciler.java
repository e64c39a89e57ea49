// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.operator.daemonset;

import dev.packettrace.api.v1alpha1.PacketTrace;
import dev.packettrace.operator.OperatorConfig;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.util.List;
import java.util.Set;

/**
 * Reconciles the node-agent DaemonSet itself. Trace reconciles create and pin it, but once the last
 * trace is gone nobody else would look at it again: this controller, woken by any trace change and by
 * its own reschedule, runs out the idle grace period and deletes it.
 */
@ControllerConfiguration(name = AgentDaemonSetReconciler.NAME)
public final class AgentDaemonSetReconciler implements Reconciler<DaemonSet> {

    public static final String NAME = "packettrace-agent-daemonset";
    public static final String LABEL_SELECTOR = AgentDaemonSet.MANAGED_BY_LABEL + "=" + AgentDaemonSet.MANAGED_BY;

    private final OperatorConfig config;
    private final AgentDaemonSetSync sync;
    private InformerEventSource<PacketTrace, DaemonSet> traces;

    public AgentDaemonSetReconciler(KubernetesClient client, OperatorConfig config, Clock clock) {
        this.config = config;
        this.sync = new AgentDaemonSetSync(client, config, clock);
    }

    @Override
    public List<EventSource<?, DaemonSet>> prepareEventSources(EventSourceContext<DaemonSet> context) {
        ResourceID daemonSet = new ResourceID(config.agentDaemonSetName(), config.operatorNamespace());
        traces = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(PacketTrace.class, DaemonSet.class)
                        .withName("traces")
                        .withWatchAllNamespaces()
                        .withSecondaryToPrimaryMapper((PacketTrace t) -> Set.of(daemonSet))
                        .build(),
                context);
        return List.of(traces);
    }

    @Override
    public UpdateControl<DaemonSet> reconcile(DaemonSet ds, Context<DaemonSet> context) {
        if (!config.agentDaemonSetName().equals(ds.getMetadata().getName())) {
            return UpdateControl.noUpdate();
        }
        var again = sync.syncIdle(traces.list(t -> true).toList());
        UpdateControl<DaemonSet> control = UpdateControl.noUpdate();
        return again.map(d -> control.rescheduleAfter(Math.max(1000, d.toMillis())))
                .orElse(control);
    }
}
