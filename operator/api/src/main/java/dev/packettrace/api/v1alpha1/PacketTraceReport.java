// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * One node agent's results for one PacketTrace, in the trace's namespace, owned by the trace (so it is
 * garbage-collected with it) and written only by that node's agent. Giving every node its own object
 * is what makes concurrent reporting lossless: no two writers ever touch the same object, so there is
 * nothing to merge and no update to lose. The operator folds all of a trace's reports into its status.
 * See operator/README.md, "Node reports".
 */
@Group(PacketTrace.GROUP)
@Version(PacketTrace.VERSION)
@Kind("PacketTraceReport")
@Plural("packettracereports")
@Singular("packettracereport")
@ShortNames("ptr")
@AdditionalPrinterColumn(name = "Trace", jsonPath = ".spec.traceName", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Node", jsonPath = ".spec.node", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "State", jsonPath = ".spec.state", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Events", jsonPath = ".spec.events", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Drops", jsonPath = ".spec.drops", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
        name = "Age",
        jsonPath = ".metadata.creationTimestamp",
        type = AdditionalPrinterColumn.Type.DATE)
public class PacketTraceReport extends CustomResource<NodeReport, Void> implements Namespaced {

    /** Label on every report: the name of the PacketTrace it belongs to. */
    public static final String TRACE_LABEL = "packettrace.dev/trace";
    /** Label on every report: the uid of the PacketTrace it belongs to (names can be reused, uids cannot). */
    public static final String TRACE_UID_LABEL = "packettrace.dev/trace-uid";

    public PacketTraceReport() {}

    @Override
    protected Void initStatus() {
        return null;
    }
}
