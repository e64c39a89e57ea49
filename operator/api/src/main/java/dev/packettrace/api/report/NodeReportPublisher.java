// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.api.report;

import dev.packettrace.api.rbac.RequiresRbac;
import dev.packettrace.api.status.StatusBudget;
import dev.packettrace.api.v1alpha1.NodeReport;
import dev.packettrace.api.v1alpha1.PacketTrace;
import dev.packettrace.api.v1alpha1.PacketTraceReport;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How a node agent publishes its node's results for a trace: it writes the PacketTraceReport named
 * {@link ReportNames#reportName} in the trace's namespace, owned by the trace. Each node has its own
 * object, so agents on different nodes never write the same object and cannot lose each other's
 * updates; the operator aggregates the reports into the trace's status. The agent needs create, get
 * and update on packettracereports and no write access to packettraces at all.
 *
 * <p>Contract: one writer per node and trace (the node's agent); every report is a full snapshot with
 * cumulative counters, so writing the latest snapshot is always correct and a retry is harmless.
 * Writes use optimistic concurrency (resourceVersion): on a conflict the publisher re-reads and writes
 * again, up to {@link #MAX_ATTEMPTS} times.
 */
@RequiresRbac(
        subject = RequiresRbac.Subject.AGENT,
        apiGroup = "packettrace.dev",
        resource = "packettraces",
        verbs = {"get"},
        why = "publish(namespace, traceName, ...) reads the trace for its uid (owner reference)")
@RequiresRbac(
        subject = RequiresRbac.Subject.AGENT,
        apiGroup = "packettrace.dev",
        resource = "packettracereports",
        verbs = {"get", "create", "update"},
        why = "write this node's report: read its resourceVersion, create it or replace it")
public final class NodeReportPublisher {

    public static final int MAX_ATTEMPTS = 5;

    private final KubernetesClient client;

    public NodeReportPublisher(KubernetesClient client) {
        this.client = Objects.requireNonNull(client, "client");
    }

    /**
     * Publishes for a trace the caller already holds (the agent's informer copy). The report's traceName,
     * traceUid and node must match the trace and the node name.
     */
    public PacketTraceReport publish(PacketTrace trace, NodeReport report) {
        String ns = trace.getMetadata().getNamespace();
        String name = trace.getMetadata().getName();
        String uid = trace.getMetadata().getUid();
        if (!name.equals(report.traceName()) || !Objects.equals(uid, report.traceUid())) {
            throw new IllegalArgumentException("report for " + report.traceName() + " (uid " + report.traceUid()
                    + ") does not belong to trace " + trace.key() + " (uid " + uid + ")");
        }
        PacketTraceReport desired = toResource(ns, uid, StatusBudget.fit(report));
        KubernetesClientException last = null;
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            try {
                return write(desired);
            } catch (KubernetesClientException e) {
                if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                    throw new KubernetesClientException(
                            "cannot publish the report of node " + report.node() + " for trace " + trace.key() + ": "
                                    + e.getMessage(),
                            e);
                }
                last = e; // someone wrote in between (an earlier incarnation of this agent): read again and retry
            }
        }
        throw new KubernetesClientException(
                "cannot publish the report of node " + report.node() + " for trace " + trace.key()
                        + ": still conflicting after " + MAX_ATTEMPTS + " attempts",
                last);
    }

    /**
     * Publishes by name: reads the trace first. Empty when the trace no longer exists (there is nothing
     * to report to; the agent should detach).
     */
    public Optional<PacketTraceReport> publish(String namespace, String traceName, String nodeName, NodeReport report) {
        if (!traceName.equals(report.traceName()) || !nodeName.equals(report.node())) {
            throw new IllegalArgumentException("report names trace " + report.traceName() + " on node " + report.node()
                    + ", not " + traceName + " on " + nodeName);
        }
        PacketTrace trace = client.resources(PacketTrace.class)
                .inNamespace(namespace)
                .withName(traceName)
                .get();
        if (trace == null) {
            return Optional.empty();
        }
        return Optional.of(publish(trace, report));
    }

    private PacketTraceReport write(PacketTraceReport desired) {
        var op = client.resources(PacketTraceReport.class)
                .inNamespace(desired.getMetadata().getNamespace())
                .withName(desired.getMetadata().getName());
        PacketTraceReport existing = op.get();
        if (existing == null) {
            desired.getMetadata().setResourceVersion(null);
            return client.resource(desired).create(); // 409 AlreadyExists if another write won: retried
        }
        desired.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
        return client.resource(desired).update(); // 409 Conflict if the version moved on: retried
    }

    private static PacketTraceReport toResource(String namespace, String traceUid, NodeReport report) {
        PacketTraceReport r = new PacketTraceReport();
        r.setMetadata(new ObjectMetaBuilder()
                .withNamespace(namespace)
                .withName(ReportNames.reportName(report.traceName(), report.node()))
                .withLabels(Map.of(PacketTraceReport.TRACE_UID_LABEL, traceUid))
                .withOwnerReferences(new OwnerReferenceBuilder()
                        .withApiVersion(PacketTrace.GROUP + "/" + PacketTrace.VERSION)
                        .withKind("PacketTrace")
                        .withName(report.traceName())
                        .withUid(traceUid)
                        .build())
                .build());
        r.setSpec(report);
        return r;
    }
}
