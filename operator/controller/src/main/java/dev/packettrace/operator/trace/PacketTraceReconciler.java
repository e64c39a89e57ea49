// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.operator.trace;

import dev.packettrace.api.rbac.RequiresRbac;
import dev.packettrace.api.v1alpha1.PacketTrace;
import dev.packettrace.api.v1alpha1.PacketTraceReport;
import dev.packettrace.api.v1alpha1.TargetStatus;
import dev.packettrace.api.validation.PacketTraceSpecValidator;
import dev.packettrace.api.validation.SpecValidation;
import dev.packettrace.operator.OperatorConfig;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The Java Operator SDK adapter for {@link TraceController}. Besides PacketTraces it watches pods (a pod
 * that starts or stops matching, moves or goes away re-reconciles the traces that target it) and
 * PacketTraceReports (a node report re-reconciles its trace, which folds it into status).
 */
@ControllerConfiguration(name = PacketTraceReconciler.NAME, finalizerName = TraceController.FINALIZER)
@RequiresRbac(
        subject = RequiresRbac.Subject.OPERATOR,
        apiGroup = "packettrace.dev",
        resource = "packettraces",
        verbs = {"get", "list", "watch"},
        why = "reconcile PacketTraces; count traces per node for the concurrency cap")
@RequiresRbac(
        subject = RequiresRbac.Subject.OPERATOR,
        apiGroup = "",
        resource = "pods",
        verbs = {"get", "list", "watch"},
        why = "resolve target pods (label selector or names) and follow them as they come, move and go")
@RequiresRbac(
        subject = RequiresRbac.Subject.OPERATOR,
        apiGroup = "packettrace.dev",
        resource = "packettracereports",
        verbs = {"get", "list", "watch"},
        why = "watch node reports and fold them into their trace's status")
public final class PacketTraceReconciler implements Reconciler<PacketTrace>, Cleaner<PacketTrace> {

    public static final String NAME = "packettrace";
    private static final System.Logger LOG = System.getLogger(PacketTraceReconciler.class.getName());

    private final TraceController controller;
    private InformerEventSource<Pod, PacketTrace> pods;
    private InformerEventSource<PacketTraceReport, PacketTrace> reports;

    public PacketTraceReconciler(TraceController controller) {
        this.controller = controller;
    }

    public PacketTraceReconciler(
            io.fabric8.kubernetes.client.KubernetesClient client, OperatorConfig config, Clock clock) {
        this(new TraceController(client, config, clock));
    }

    @Override
    public List<EventSource<?, PacketTrace>> prepareEventSources(EventSourceContext<PacketTrace> context) {
        var traceCache = context.getPrimaryCache();
        pods = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(Pod.class, PacketTrace.class)
                        .withName("pods")
                        .withSecondaryToPrimaryMapper((Pod pod) -> traceCache
                                .list(pod.getMetadata().getNamespace())
                                .filter(t -> targets(t, pod))
                                .map(ResourceID::fromResource)
                                .collect(Collectors.toSet()))
                        .build(),
                context);
        reports = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(PacketTraceReport.class, PacketTrace.class)
                        .withName("reports")
                        .withSecondaryToPrimaryMapper((PacketTraceReport r) -> r.getSpec() == null
                                        || r.getSpec().traceName() == null
                                ? Set.of()
                                : Set.of(new ResourceID(
                                        r.getSpec().traceName(), r.getMetadata().getNamespace())))
                        .build(),
                context);
        return List.of(pods, reports);
    }

    @Override
    public UpdateControl<PacketTrace> reconcile(PacketTrace trace, Context<PacketTrace> context) {
        Optional<Duration> again = controller.reconcile(trace, view(context));
        UpdateControl<PacketTrace> control = UpdateControl.noUpdate();
        return again.map(d -> control.rescheduleAfter(atLeastOneSecond(d))).orElse(control);
    }

    @Override
    public DeleteControl cleanup(PacketTrace trace, Context<PacketTrace> context) {
        TraceController.CleanupDecision decision = controller.cleanup(trace, view(context));
        if (decision.removeFinalizer()) {
            return DeleteControl.defaultDelete();
        }
        DeleteControl control = DeleteControl.noFinalizerRemoval();
        return decision.requeueAfter()
                .map(d -> control.rescheduleAfter(atLeastOneSecond(d)))
                .orElse(control);
    }

    @Override
    public ErrorStatusUpdateControl<PacketTrace> updateErrorStatus(
            PacketTrace trace, Context<PacketTrace> context, Exception e) {
        // API errors (conflicts on a stale cache, a brief outage) are retried by the SDK with backoff.
        LOG.log(
                System.Logger.Level.WARNING,
                "trace=" + trace.key() + " reconcile failed, will retry: " + e.getMessage());
        return ErrorStatusUpdateControl.noStatusUpdate();
    }

    private ClusterView view(Context<PacketTrace> context) {
        return new InformerClusterView(pods, reports, context.getPrimaryCache());
    }

    /** A pod concerns a trace if the trace targets it now or listed it before (so its departure is seen). */
    static boolean targets(PacketTrace trace, Pod pod) {
        String name = pod.getMetadata().getName();
        for (TargetStatus t : trace.statusOrEmpty().targets()) {
            if (name.equals(t.pod())) {
                return true;
            }
        }
        return PacketTraceSpecValidator.validate(trace.getSpec()) instanceof SpecValidation.Valid v
                && TargetResolver.isTarget(v.request().targets(), pod);
    }

    private static long atLeastOneSecond(Duration d) {
        return Math.max(1000, d.toMillis());
    }
}
