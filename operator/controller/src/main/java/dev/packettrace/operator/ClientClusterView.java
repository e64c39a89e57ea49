package dev.packettrace.operator;

import dev.packettrace.api.report.NodeReportReader;
import dev.packettrace.api.rbac.RequiresRbac;
import dev.packettrace.api.v1alpha1.NodeReport;
import dev.packettrace.api.v1alpha1.PacketTrace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.util.List;

/** A {@link ClusterView} that lists straight from the API server on every call. */
@RequiresRbac(subject = RequiresRbac.Subject.OPERATOR, apiGroup = "", resource = "pods", verbs = {"get", "list", "watch"},
        why = "resolve target pods (label selector or names) and follow them as they come and go")
@RequiresRbac(subject = RequiresRbac.Subject.OPERATOR, apiGroup = "packettrace.dev", resource = "packettraces",
        verbs = {"get", "list", "watch"}, why = "reconcile PacketTraces; count traces per node for the concurrency cap")
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
