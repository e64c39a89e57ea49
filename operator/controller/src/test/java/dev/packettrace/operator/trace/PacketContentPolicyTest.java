// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.operator.trace;

import static dev.packettrace.operator.Fixtures.get;
import static dev.packettrace.operator.Fixtures.pod;
import static org.junit.jupiter.api.Assertions.*;

import dev.packettrace.api.v1alpha1.PacketTrace;
import dev.packettrace.api.v1alpha1.PacketTraceStatus.Phase;
import dev.packettrace.operator.MutableClock;
import dev.packettrace.operator.OperatorConfig;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Packet contents leave a node only where the cluster administrator allowed them: a trace asking for
 * them in a cluster that forbids them (the default) ends Failed saying why, and no agent is scheduled.
 */
@EnableKubernetesMockClient(crud = true)
class PacketContentPolicyTest {

    static final String NS = "team-a";
    static final String OP_NS = "packettrace-system";

    KubernetesClient client;

    PacketTrace create(String name, String output) {
        PacketTrace raw = new KubernetesSerialization().unmarshal("""
                apiVersion: packettrace.dev/v1alpha1
                kind: PacketTrace
                metadata: {name: %s, namespace: %s}
                spec:
                  targets: {podSelector: {matchLabels: {app: web}}}
                  output: %s
                """.formatted(name, NS, output), PacketTrace.class);
        client.resource(raw).create();
        return client.resources(PacketTrace.class)
                .inNamespace(NS)
                .withName(name)
                .get();
    }

    PacketTrace reconcile(PacketTrace t, OperatorConfig config) {
        new TraceController(client, config, new MutableClock(Instant.now()))
                .reconcile(t, new ClientClusterView(client));
        return get(client, t);
    }

    static Condition condition(PacketTrace t, String type) {
        return t.getStatus().conditions().stream()
                .filter(c -> type.equals(c.getType()))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void forbiddenByDefaultTheTraceFailsSayingWhyAndNothingIsScheduled() {
        pod(client, NS, "web-0", "node-a", Map.of("app", "web"));
        OperatorConfig config = OperatorConfig.defaults(OP_NS);
        assertFalse(config.allowPacketContent(), "packet contents are off unless allowed");

        PacketTrace after = reconcile(create("dump", "{packetContent: true}"), config);

        assertEquals(Phase.Failed, after.getStatus().phase());
        Condition failed = condition(after, "Failed");
        assertEquals("True", failed.getStatus());
        assertEquals(TracePlanner.PACKET_CONTENT_FORBIDDEN, failed.getReason());
        assertTrue(
                failed.getMessage()
                        .startsWith("spec.output.packetContent is true, but this cluster forbids packet contents"),
                failed.getMessage());
        assertTrue(
                failed.getMessage().contains("packetContent.allowed"),
                "names the setting that allows it: " + failed.getMessage());
        Condition accepted = condition(after, "Accepted");
        assertEquals("False", accepted.getStatus());
        assertEquals(TracePlanner.PACKET_CONTENT_FORBIDDEN, accepted.getReason());
        assertTrue(
                client.apps().daemonSets().inAnyNamespace().list().getItems().isEmpty(),
                "no agent for a refused trace");
        assertTrue(
                client.v1().events().inNamespace(NS).list().getItems().stream()
                        .map(Event::getReason)
                        .anyMatch(TracePlanner.PACKET_CONTENT_FORBIDDEN::equals),
                "a Warning event says it too");
    }

    @Test
    void allowedByTheClusterTheTraceIsScheduled() {
        pod(client, NS, "web-0", "node-a", Map.of("app", "web"));
        OperatorConfig config = OperatorConfig.fromEnv(
                Map.of("PACKETTRACE_NAMESPACE", OP_NS, "PACKETTRACE_ALLOW_PACKET_CONTENT", "true"));

        PacketTrace after = reconcile(create("dump", "{packetContent: true}"), config);

        assertEquals(Phase.Pending, after.getStatus().phase());
        assertEquals("True", condition(after, "Accepted").getStatus());
        assertEquals("False", condition(after, "Failed").getStatus());
        assertEquals(
                1,
                client.apps().daemonSets().inNamespace(OP_NS).list().getItems().size(),
                "agents scheduled");
    }

    @Test
    void tracesThatDoNotAskAreUnaffectedByTheDefault() {
        pod(client, NS, "web-0", "node-a", Map.of("app", "web"));
        OperatorConfig config = OperatorConfig.defaults(OP_NS);

        PacketTrace explicitOff = reconcile(create("plain", "{packetContent: false, meta: true}"), config);
        PacketTrace absent = reconcile(create("default", "{maxEvents: 100}"), config);

        assertEquals(Phase.Pending, explicitOff.getStatus().phase());
        assertEquals(Phase.Pending, absent.getStatus().phase());
        assertEquals("True", condition(absent, "Accepted").getStatus());
    }
}
