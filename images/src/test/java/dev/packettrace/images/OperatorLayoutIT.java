// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.images;

import static org.junit.jupiter.api.Assertions.*;

import dev.packettrace.api.v1alpha1.PacketTrace;
import dev.packettrace.api.v1alpha1.PacketTraceSpec;
import dev.packettrace.api.v1alpha1.TargetSpec;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator image's file tree, started from its launcher on its own jlink'd runtime against Fabric8's
 * mock API server over TLS: it must connect, watch, reconcile a PacketTrace and create the agents' DaemonSet.
 * That exercises the modules jdeps chose (TLS, HTTP client, JSON, the operator SDK) as a real start would.
 */
@EnableKubernetesMockClient(crud = true, https = true)
class OperatorLayoutIT {

    static final Path HOME = Layouts.home("operator");
    static final String OP_NS = "packettrace-system";

    KubernetesClient client;

    @Test
    void startsFromTheLayoutAndReconcilesATrace(@TempDir Path tmp) throws Exception {
        assertFalse(Files.exists(HOME.resolve("runtime/bin/javac")));
        assertTrue(
                client.getMasterUrl().getProtocol().equals("https"), "the API server speaks TLS, as a real one does");
        Path kubeconfig = tmp.resolve("kubeconfig");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters: [{name: mock, cluster: {server: "%s", insecure-skip-tls-verify: true}}]
                users: [{name: mock, user: {token: layout-test}}]
                contexts: [{name: mock, context: {cluster: mock, user: mock, namespace: default}}]
                current-context: mock
                """.formatted(client.getMasterUrl()));
        client.resource(new PodBuilder()
                        .withNewMetadata()
                        .withNamespace("shop")
                        .withName("web-0")
                        .withLabels(Map.of("app", "web"))
                        .endMetadata()
                        .withNewSpec()
                        .withNodeName("node-a")
                        .addNewContainer()
                        .withName("app")
                        .withImage("app")
                        .endContainer()
                        .endSpec()
                        .withNewStatus()
                        .withPhase("Running")
                        .endStatus()
                        .build())
                .create();

        Path out = tmp.resolve("operator.log");
        Process p = Layouts.launch(
                        HOME.resolve("bin/packettrace-operator"),
                        out,
                        Map.of(
                                "KUBECONFIG",
                                kubeconfig.toString(),
                                "PACKETTRACE_NAMESPACE",
                                OP_NS,
                                "PACKETTRACE_LEADER_ELECTION",
                                "false",
                                "PACKETTRACE_AGENT_IMAGE",
                                "registry.example/packettrace/node-agent:smoke"),
                        List.of())
                .start();
        try {
            Layouts.await(
                    "the operator to start",
                    Duration.ofSeconds(60),
                    () -> Layouts.read(out).contains("operator=started") || !p.isAlive(),
                    () -> Layouts.read(out));
            assertTrue(p.isAlive(), "the operator exited:\n" + Layouts.read(out));

            client.resource(PacketTrace.of(
                            "shop",
                            "web",
                            new PacketTraceSpec(
                                    new TargetSpec(
                                            new io.fabric8.kubernetes.api.model.LabelSelectorBuilder()
                                                    .withMatchLabels(Map.of("app", "web"))
                                                    .build(),
                                            List.of()),
                                    null,
                                    null,
                                    "1m",
                                    null,
                                    null)))
                    .create();

            Layouts.await(
                    "the trace's status and the agents' DaemonSet",
                    Duration.ofSeconds(60),
                    () -> {
                        PacketTrace t = client.resources(PacketTrace.class)
                                .inNamespace("shop")
                                .withName("web")
                                .get();
                        DaemonSet ds = client.apps()
                                .daemonSets()
                                .inNamespace(OP_NS)
                                .withName("packettrace-node-agent")
                                .get();
                        return t.getStatus() != null
                                && t.getStatus().targetCount() != null
                                && t.getStatus().targetCount() == 1
                                && ds != null;
                    },
                    () -> Layouts.read(out));
            DaemonSet ds = client.apps()
                    .daemonSets()
                    .inNamespace(OP_NS)
                    .withName("packettrace-node-agent")
                    .get();
            assertEquals(
                    "registry.example/packettrace/node-agent:smoke",
                    ds.getSpec()
                            .getTemplate()
                            .getSpec()
                            .getContainers()
                            .getFirst()
                            .getImage());
        } finally {
            p.destroy(); // SIGTERM: the launcher execs the JVM, whose shutdown hook stops the operator
            boolean stopped = p.waitFor(30, TimeUnit.SECONDS);
            // kept for a look after the build: target/operator-layout-it.log
            Files.copy(
                    out,
                    Layouts.DIR.resolveSibling("operator-layout-it.log"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            if (!stopped) {
                p.destroyForcibly();
                fail("the operator did not stop within 30 s of SIGTERM:\n" + Layouts.read(out));
            }
        }
    }
}
