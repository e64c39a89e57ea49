// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.operator.trace;

import dev.packettrace.api.v1alpha1.NodeReport;
import dev.packettrace.api.v1alpha1.PacketTrace;
import dev.packettrace.api.v1alpha1.PacketTraceReport;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.api.reconciler.IndexedResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/** A {@link ClusterView} over the operator's informer caches: no API calls per reconcile. */
final class InformerClusterView implements ClusterView {

    private final InformerEventSource<Pod, PacketTrace> pods;
    private final InformerEventSource<PacketTraceReport, PacketTrace> reports;
    private final IndexedResourceCache<PacketTrace> traces;

    InformerClusterView(
            InformerEventSource<Pod, PacketTrace> pods,
            InformerEventSource<PacketTraceReport, PacketTrace> reports,
            IndexedResourceCache<PacketTrace> traces) {
        this.pods = pods;
        this.reports = reports;
        this.traces = traces;
    }

    @Override
    public List<Pod> podsIn(String namespace) {
        return pods.list(namespace, p -> true).toList();
    }

    @Override
    public List<NodeReport> reportsOf(PacketTrace trace) {
        String uid = trace.getMetadata().getUid();
        return reports.list(
                        trace.getMetadata().getNamespace(),
                        r -> r.getSpec() != null
                                && Objects.equals(uid, r.getSpec().traceUid()))
                .map(PacketTraceReport::getSpec)
                .sorted(Comparator.comparing(NodeReport::node))
                .toList();
    }

    @Override
    public List<PacketTrace> traces() {
        return traces.list().toList();
    }
}
