// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.api.report;

import dev.packettrace.api.rbac.RequiresRbac;
import dev.packettrace.api.v1alpha1.NodeReport;
import dev.packettrace.api.v1alpha1.PacketTrace;
import dev.packettrace.api.v1alpha1.PacketTraceReport;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/** Reads the node reports of one trace straight from the API server (the operator uses its informer cache instead). */
@RequiresRbac(
        subject = RequiresRbac.Subject.OPERATOR,
        apiGroup = "packettrace.dev",
        resource = "packettracereports",
        verbs = {"list"},
        why = "read the node reports of a trace straight from the API server (tests, tools)")
public final class NodeReportReader {

    private final KubernetesClient client;

    public NodeReportReader(KubernetesClient client) {
        this.client = Objects.requireNonNull(client, "client");
    }

    /** The reports of this trace instance (matched by uid, so a recreated trace never sees old reports), by node. */
    public List<NodeReport> reportsOf(PacketTrace trace) {
        String uid = trace.getMetadata().getUid();
        return client
                .resources(PacketTraceReport.class)
                .inNamespace(trace.getMetadata().getNamespace())
                .withLabel(PacketTraceReport.TRACE_UID_LABEL, uid)
                .list()
                .getItems()
                .stream()
                .map(PacketTraceReport::getSpec)
                .filter(Objects::nonNull)
                .filter(r -> uid.equals(r.traceUid()))
                .sorted(Comparator.comparing(NodeReport::node))
                .toList();
    }
}
