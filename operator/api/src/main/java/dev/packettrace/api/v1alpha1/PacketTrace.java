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
 * A request to trace the packets of some pods in this namespace: which pods, which packets, for how
 * long, and where the events go. The operator schedules node agents for it and keeps its status.
 */
@Group(PacketTrace.GROUP)
@Version(PacketTrace.VERSION)
@Kind("PacketTrace")
@Plural("packettraces")
@Singular("packettrace")
@ShortNames("pt")
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
        name = "Targets",
        jsonPath = ".status.targetCount",
        type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Nodes", jsonPath = ".status.nodeCount", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
        name = "Events",
        jsonPath = ".status.summary.events",
        type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
        name = "Drops",
        jsonPath = ".status.summary.drops",
        type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
        name = "Age",
        jsonPath = ".metadata.creationTimestamp",
        type = AdditionalPrinterColumn.Type.DATE)
// -o wide: what an incident needs next, the loss that qualifies the counts and the most frequent drop
@AdditionalPrinterColumn(
        name = "Lost",
        jsonPath = ".status.summary.lost",
        type = AdditionalPrinterColumn.Type.INTEGER,
        priority = 1)
@AdditionalPrinterColumn(
        name = "Top-Drop",
        jsonPath = ".status.summary.dropsByReason[0].reason",
        type = AdditionalPrinterColumn.Type.STRING,
        priority = 1)
@AdditionalPrinterColumn(
        name = "Location",
        jsonPath = ".status.summary.dropsByReason[0].location",
        type = AdditionalPrinterColumn.Type.STRING,
        priority = 1)
public class PacketTrace extends CustomResource<PacketTraceSpec, PacketTraceStatus> implements Namespaced {

    public static final String GROUP = "packettrace.dev";
    public static final String VERSION = "v1alpha1";

    public PacketTrace() {}

    public static PacketTrace of(String namespace, String name, PacketTraceSpec spec) {
        PacketTrace t = new PacketTrace();
        t.getMetadata().setNamespace(namespace);
        t.getMetadata().setName(name);
        t.setSpec(spec);
        return t;
    }

    /** The status, or an empty Pending one before the operator first wrote it. */
    public PacketTraceStatus statusOrEmpty() {
        return getStatus() == null ? PacketTraceStatus.empty() : getStatus();
    }

    /** "namespace/name", for messages and logs. */
    public String key() {
        return getMetadata().getNamespace() + "/" + getMetadata().getName();
    }
}
