// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.operator.trace;

import dev.packettrace.api.report.NodeReportReader;
import dev.packettrace.api.v1alpha1.NodeReport;
import dev.packettrace.api.v1alpha1.PacketTrace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;

/**
 * A {@link ClusterView} that lists straight from the API server on every call (tests, tools). It needs
 * the same read rules as the operator's informers, declared on {@link PacketTraceReconciler}.
 */
public final class ClientClusterView implements ClusterView {

    private final KubernetesClient client;

    public ClientClusterView(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public List<Pod> podsIn(String namespace) {
        return client.pods().inNamespace(namespace).list().getItems();
    }

    @Override
    public List<NodeReport> reportsOf(PacketTrace trace) {
        return new NodeReportReader(client).reportsOf(trace);
    }

    @Override
    public List<PacketTrace> traces() {
        return client.resources(PacketTrace.class).inAnyNamespace().list().getItems();
    }
}
