// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.chart.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.marcnuri.helm.Release;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** helm install on a real API server: CRDs established, the operator running as the chart says. */
@Tag(ClusterLab.TAG)
class HelmInstallTest {

    static Release release;
    static KubernetesClient client;

    @BeforeAll
    static void install() {
        release = LabRelease.installed();
        client = ClusterLab.admin();
    }

    @AfterAll
    static void close() {
        client.close();
    }

    @Test
    void releaseIsDeployedWithTheChartsAppVersion() {
        assertEquals("deployed", release.getStatus());
        assertEquals("0.1.0", release.getAppVersion());
        assertTrue(
                release.getOutput().contains("get packettraces -w"),
                "NOTES tell the user what to run next: " + release.getOutput());
    }

    @Test
    void crdsAreEstablishedWithTheirShortName() {
        for (String name : List.of("packettraces.packettrace.dev", "packettracereports.packettrace.dev")) {
            CustomResourceDefinition crd = client.apiextensions()
                    .v1()
                    .customResourceDefinitions()
                    .withName(name)
                    .get();
            assertTrue(
                    crd.getStatus().getConditions().stream()
                            .anyMatch(c -> c.getType().equals("Established")
                                    && c.getStatus().equals("True")),
                    name + " established");
        }
        String resources = ClusterLab.kubectl("api-resources", "--api-group=packettrace.dev", "-o", "name")
                .requireSuccess()
                .stdout();
        assertEquals(
                List.of("packettracereports.packettrace.dev", "packettraces.packettrace.dev"),
                resources.lines().sorted().toList());
        String wide = ClusterLab.kubectl("api-resources", "--api-group=packettrace.dev")
                .requireSuccess()
                .stdout();
        assertTrue(wide.lines().anyMatch(l -> l.startsWith("packettraces ") && l.contains(" pt ")), wide);
    }

    @Test
    void operatorRunsUnprivilegedOnAReadOnlyRoot() {
        Deployment d = client.apps()
                .deployments()
                .inNamespace(LabRelease.NAMESPACE)
                .withName(LabRelease.OPERATOR_DEPLOYMENT)
                .get();
        assertEquals(
                1, d.getStatus().getAvailableReplicas(), "helm install --wait returned with the operator available");
        Pod pod = client.pods()
                .inNamespace(LabRelease.NAMESPACE)
                .withLabel("app.kubernetes.io/name", "packettrace-operator")
                .list()
                .getItems()
                .getFirst();
        assertEquals("Running", pod.getStatus().getPhase());
        // the kernel's view of the running process, not the spec's promise
        String id = ClusterLab.kubectl(
                        "-n",
                        LabRelease.NAMESPACE,
                        "exec",
                        pod.getMetadata().getName(),
                        "--",
                        "/bin/sh",
                        "-c",
                        "id -u; touch /probe 2>&1 || true")
                .requireSuccess()
                .stdout();
        assertTrue(id.startsWith("65532\n"), id);
        assertTrue(id.contains("Read-only file system"), id);
    }
}
