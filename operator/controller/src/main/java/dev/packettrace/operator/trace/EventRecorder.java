// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.operator.trace;

import dev.packettrace.api.rbac.RequiresRbac;
import dev.packettrace.api.status.StatusLimits;
import dev.packettrace.api.v1alpha1.PacketTrace;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Records Kubernetes Events on a PacketTrace for its main transitions, so {@code kubectl describe}
 * tells the story. An Event that cannot be written is logged and dropped: Events are a courtesy and
 * must never fail a reconcile.
 */
@RequiresRbac(
        subject = RequiresRbac.Subject.OPERATOR,
        apiGroup = "",
        resource = "events",
        verbs = {"create"},
        why = "record Kubernetes Events on PacketTraces (Accepted, Started, Completed, Failed, TargetGone, ...)")
final class EventRecorder {

    private static final System.Logger LOG = System.getLogger(EventRecorder.class.getName());
    private static final AtomicLong SEQUENCE = new AtomicLong();

    private final KubernetesClient client;
    private final Clock clock;
    private final String instance;

    EventRecorder(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
        this.instance = System.getenv().getOrDefault("HOSTNAME", "packettrace-operator");
    }

    void record(PacketTrace trace, Notice notice) {
        Instant now = clock.instant();
        String name = trace.getMetadata().getName() + "." + Long.toHexString(now.toEpochMilli())
                + Long.toHexString(SEQUENCE.incrementAndGet());
        try {
            client.v1()
                    .events()
                    .inNamespace(trace.getMetadata().getNamespace())
                    .resource(new EventBuilder()
                            .withNewMetadata()
                            .withName(StatusLimits.clip(name, 253))
                            .withNamespace(trace.getMetadata().getNamespace())
                            .endMetadata()
                            .withNewInvolvedObject()
                            .withApiVersion(trace.getApiVersion())
                            .withKind(trace.getKind())
                            .withName(trace.getMetadata().getName())
                            .withNamespace(trace.getMetadata().getNamespace())
                            .withUid(trace.getMetadata().getUid())
                            .endInvolvedObject()
                            .withType(notice.type().name())
                            .withReason(notice.reason())
                            .withMessage(StatusLimits.clip(notice.message(), 1024))
                            .withFirstTimestamp(now.toString())
                            .withLastTimestamp(now.toString())
                            .withCount(1)
                            .withNewSource()
                            .withComponent("packettrace-operator")
                            .endSource()
                            .withReportingComponent("packettrace.dev/operator")
                            .withReportingInstance(instance)
                            .build())
                    .create();
        } catch (KubernetesClientException e) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "trace=" + trace.key() + " event=" + notice.reason() + " recorded=false error=" + e.getMessage());
        }
        LOG.log(
                System.Logger.Level.INFO,
                "trace=" + trace.key() + " event=" + notice.reason() + " type=" + notice.type() + " message=\""
                        + notice.message() + "\"");
    }
}
