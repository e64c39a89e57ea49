// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.operator.trace;

import dev.packettrace.api.v1alpha1.NodeReport;
import dev.packettrace.api.v1alpha1.PacketTrace;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;

/**
 * What a reconcile reads about the cluster. In the operator it comes from informer caches
 * ({@link InformerClusterView}); {@link ClientClusterView} asks the API server directly, for tests and tools.
 */
public interface ClusterView {

    /** Every pod of one namespace: a trace only ever looks at its own namespace. */
    List<Pod> podsIn(String namespace);

    /** The node reports of one trace instance. */
    List<NodeReport> reportsOf(PacketTrace trace);

    /** Every PacketTrace in the watched namespaces. */
    List<PacketTrace> traces();
}
