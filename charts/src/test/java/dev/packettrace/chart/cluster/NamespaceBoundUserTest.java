// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.chart.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packettrace.api.v1alpha1.PacketTrace;
import dev.packettrace.api.v1alpha1.PacketTraceReport;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;

/**
 * A user who may edit one namespace (Kubernetes' built-in edit ClusterRole, bound there; the chart aggregates
 * packettrace-edit into it) can trace that namespace's pods, and cannot trace another namespace's pods nor
 * read its traces or reports. The API server decides, impersonating the user.
 */
@Tag(ClusterLab.TAG)
class NamespaceBoundUserTest {

    static final String OWN = "team-a";
    static final String OTHER = "team-b";
    static final String USER = "alice";

    @RegisterExtension
    static final LabNamespace TEAM_A = LabNamespace.empty(OWN);

    @RegisterExtension
    static final LabNamespace TEAM_B = LabNamespace.withDropScenario(OTHER);

    static KubernetesClient admin;
    static KubernetesClient alice;

    @BeforeAll
    static void twoTeams() {
        admin = TEAM_A.client();
        ClusterLab.kubectlWithInput(DropScenario.traceOfServer("their-trace", "20s"), "apply", "-n", OTHER, "-f", "-")
                .requireSuccess();
        admin.rbac()
                .roleBindings()
                .inNamespace(OWN)
                .resource(new RoleBindingBuilder()
                        .withNewMetadata()
                        .withName("alice-edits-team-a")
                        .endMetadata()
                        .withNewRoleRef()
                        .withApiGroup("rbac.authorization.k8s.io")
                        .withKind("ClusterRole")
                        .withName("edit")
                        .endRoleRef()
                        .addNewSubject()
                        .withApiGroup("rbac.authorization.k8s.io")
                        .withKind("User")
                        .withName(USER)
                        .endSubject()
                        .build())
                .serverSideApply();
        alice = ClusterLab.as(USER);
    }

    @AfterAll
    static void closeAlice() {
        alice.close();
    }

    static PacketTrace trace(String name, String yamlTargets) {
        return new KubernetesSerialization().unmarshal("""
                apiVersion: packettrace.dev/v1alpha1
                kind: PacketTrace
                metadata: {name: %s}
                spec:
                  targets: %s
                  duration: 20s
                """.formatted(name, yamlTargets), PacketTrace.class);
    }

    static void assertForbidden(Executable call) {
        KubernetesClientException e = assertThrows(KubernetesClientException.class, call);
        assertEquals(403, e.getCode(), e.getMessage());
    }

    @Test
    void canTraceInItsOwnNamespaceAndReadTheResult() {
        alice.resources(PacketTrace.class)
                .inNamespace(OWN)
                .resource(trace("mine", "{podNames: [server]}"))
                .create();
        PacketTrace mine = alice.resources(PacketTrace.class)
                .inNamespace(OWN)
                .withName("mine")
                .waitUntilCondition(t -> t.getStatus() != null && t.getStatus().phase() != null, 60, TimeUnit.SECONDS);
        // "server" exists only in team-b: a trace in team-a never reaches it
        assertEquals(
                0,
                mine.getStatus().targetCount(),
                "targets: " + mine.getStatus().targets());
        assertTrue(alice.resources(PacketTraceReport.class)
                .inNamespace(OWN)
                .list()
                .getItems()
                .isEmpty());
    }

    @Test
    void cannotNameAnotherNamespacesPod() {
        RejectedSpec.assertRefusedNaming(admin, OWN, "cross", """
                apiVersion: packettrace.dev/v1alpha1
                kind: PacketTrace
                metadata: {name: cross}
                spec:
                  targets: {podNames: [team-b/server]}
                """, "spec.targets.podNames", USER);
    }

    @Test
    void cannotTraceOrReadAnotherNamespace() {
        assertForbidden(() -> alice.resources(PacketTrace.class)
                .inNamespace(OTHER)
                .resource(trace("theirs", "{podNames: [server]}"))
                .create());
        assertForbidden(
                () -> alice.resources(PacketTrace.class).inNamespace(OTHER).list());
        assertForbidden(() -> alice.resources(PacketTrace.class)
                .inNamespace(OTHER)
                .withName("their-trace")
                .get());
        assertForbidden(() ->
                alice.resources(PacketTraceReport.class).inNamespace(OTHER).list());
        assertForbidden(
                () -> alice.resources(PacketTrace.class).inAnyNamespace().list());
        // the other team's results exist: it is the API server that keeps them from alice
        assertEquals(
                1,
                admin.resources(PacketTrace.class)
                        .inNamespace(OTHER)
                        .list()
                        .getItems()
                        .size());
    }
}
