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
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A table of bad PacketTraces written as a user would write them (YAML, stored unchecked by the mock
 * API server, which runs no CEL): each ends Failed with a condition naming the field, and none throws.
 */
@EnableKubernetesMockClient(crud = true)
class InvalidSpecsTest {

    KubernetesClient client;

    static Stream<Arguments> badTraces() {
        return Stream.of(
                Arguments.of("no targets", "filter: {dstPort: 80}", "spec.targets: is required"),
                Arguments.of(
                        "empty targets", "targets: {}", "spec.targets: needs a podSelector or at least one pod name"),
                Arguments.of("empty selector", "targets: {podSelector: {}}", "spec.targets.podSelector: is empty"),
                Arguments.of(
                        "cross-namespace name",
                        "targets: {podNames: [kube-system/coredns]}",
                        "spec.targets.podNames[0]: 'kube-system/coredns' names a pod in another namespace"),
                Arguments.of(
                        "port out of range",
                        "targets: {podNames: [web-0]}\n  filter: {dstPort: 70000}",
                        "spec.filter.dstPort: 70000 is outside 1..65535"),
                Arguments.of(
                        "host name",
                        "targets: {podNames: [web-0]}\n  filter: {srcIp: example.internal}",
                        "spec.filter.srcIp: 'example.internal' is not an IPv4 or IPv6 address"),
                Arguments.of(
                        "blank expression",
                        "targets: {podNames: [web-0]}\n  filter: {expression: '   '}",
                        "spec.filter.expression: is empty"),
                Arguments.of(
                        "bad protocol",
                        "targets: {podNames: [web-0]}\n  filter: {proto: sctp}",
                        "spec.filter.proto: 'sctp'"),
                Arguments.of(
                        "duration too long",
                        "targets: {podNames: [web-0]}\n  duration: 48h",
                        "spec.duration: '48h' is outside 1s..24h"),
                Arguments.of(
                        "duration syntax",
                        "targets: {podNames: [web-0]}\n  duration: soon",
                        "spec.duration: 'soon' is not a duration"),
                Arguments.of(
                        "maxEvents zero",
                        "targets: {podNames: [web-0]}\n  output: {maxEvents: 0}",
                        "spec.output.maxEvents: 0 is outside"),
                Arguments.of("backend", "targets: {podNames: [web-0]}\n  backend: kprobe", "spec.backend: 'kprobe'"),
                Arguments.of(
                        "sink escape",
                        "targets: {podNames: [web-0]}\n  sink: {type: hostPath, path: /var/log/packettrace/../../../etc}",
                        "spec.sink.path: '/var/log/packettrace/../../../etc' must be a directory below /var/log/packettrace"),
                Arguments.of(
                        "mark",
                        "targets: {podNames: [web-0]}\n  filter: {mark: -1}",
                        "spec.filter.mark: -1 is not a 32-bit unsigned value"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badTraces")
    void endsFailedNamingTheField(String label, String specYaml, String expected) {
        var yaml = new KubernetesSerialization();
        PacketTrace raw = yaml.unmarshal("""
                apiVersion: packettrace.dev/v1alpha1
                kind: PacketTrace
                metadata: {name: bad, namespace: team-a}
                spec:
                  %s
                """.formatted(specYaml), PacketTrace.class);
        client.resource(raw).create();
        PacketTrace stored = client.resources(PacketTrace.class)
                .inNamespace("team-a")
                .withName("bad")
                .get();
        var controller = new TraceController(
                client, OperatorConfig.defaults("packettrace-system"), new MutableClock(Instant.now()));

        assertDoesNotThrow(() -> controller.reconcile(stored, new ClientClusterView(client)));

        PacketTrace after = get(client, stored);
        assertEquals(Phase.Failed, after.getStatus().phase(), label);
        Condition failed = after.getStatus().conditions().stream()
                .filter(c -> c.getType().equals("Failed"))
                .findFirst()
                .orElseThrow();
        assertEquals("True", failed.getStatus());
        assertEquals("InvalidSpec", failed.getReason());
        assertTrue(failed.getMessage().contains(expected), label + ": " + failed.getMessage());
        Condition accepted = after.getStatus().conditions().stream()
                .filter(c -> c.getType().equals("Accepted"))
                .findFirst()
                .orElseThrow();
        assertEquals("False", accepted.getStatus());
        assertTrue(
                client.apps().daemonSets().inAnyNamespace().list().getItems().isEmpty(),
                "no agents for an invalid trace");
    }

    @Test
    void podsOfOtherNamespacesAreNeverTargets() {
        pod(client, "team-b", "web-0", "node-b", Map.of("app", "web"));
        var yaml = new KubernetesSerialization();
        client.resource(yaml.unmarshal("""
                apiVersion: packettrace.dev/v1alpha1
                kind: PacketTrace
                metadata: {name: sneaky, namespace: team-a}
                spec:
                  targets: {podNames: [web-0], podSelector: {matchLabels: {app: web}}, namespace: team-b}
                """, PacketTrace.class)).create();
        PacketTrace stored = client.resources(PacketTrace.class)
                .inNamespace("team-a")
                .withName("sneaky")
                .get();
        new TraceController(client, OperatorConfig.defaults("packettrace-system"), new MutableClock(Instant.now()))
                .reconcile(stored, new ClientClusterView(client));
        PacketTrace after = get(client, stored);
        assertEquals(Phase.Pending, after.getStatus().phase());
        assertEquals(0, after.getStatus().targetCount());
        assertEquals(
                "NoTargets",
                after.getStatus().conditions().stream()
                        .filter(c -> c.getType().equals("Scheduled"))
                        .findFirst()
                        .orElseThrow()
                        .getReason());
        assertTrue(
                client.apps().daemonSets().inAnyNamespace().list().getItems().isEmpty(), "no agent on team-b's node");
    }
}
