// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.chart.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.Release;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The chart, installed once per test JVM with Helm itself (helm-java's install: the same code path as
 * {@code helm install --wait}) into the lab. Every cluster test class starts from {@link #installed()}.
 *
 * <p>Values differ from the chart's defaults only where the lab must: the images are the lab's own, imported
 * and never pulled; and the agent's capabilities leave out SYS_RESOURCE, which this machine's root lacks
 * (the machine is itself a container; runc then cannot grant it: "unable to apply caps"). The lab's kernel is
 * far past 5.11, where BPF memory is charged to the cgroup and SYS_RESOURCE is not needed.
 */
final class LabRelease {

    static final String NAMESPACE = "packettrace";
    static final String NAME = "packettrace";
    static final String OPERATOR_DEPLOYMENT = "packettrace-operator";
    static final String AGENT_DAEMONSET = "packettrace-node-agent";
    static final Path CHART = Path.of(System.getProperty("packettrace.root", ".."))
            .toAbsolutePath()
            .normalize()
            .resolve("charts/packettrace");

    private static final String VALUES = """
            operator:
              image: {tag: %s, pullPolicy: Never}
            agent:
              image: {tag: %s, pullPolicy: Never}
              capabilities: [BPF, PERFMON, SYSLOG, SYS_PTRACE]
            """;

    private static Release release;

    private LabRelease() {}

    /** The node agent's pod on the lab's one node. */
    static Pod agent(KubernetesClient client) {
        return client.pods()
                .inNamespace(NAMESPACE)
                .withLabel("app.kubernetes.io/name", AGENT_DAEMONSET)
                .list()
                .getItems()
                .getFirst();
    }

    /** The sink's JSON lines (the agent's standard output) of one trace ("namespace/name"), oldest first. */
    static List<JsonNode> sinkEvents(Pod agent, String trace) {
        ObjectMapper json = new ObjectMapper();
        String logs = ClusterLab.kubectl(
                        "logs", "-n", NAMESPACE, agent.getMetadata().getName())
                .requireSuccess()
                .stdout();
        List<JsonNode> events = new ArrayList<>();
        for (String line : logs.lines().filter(l -> l.startsWith("{")).toList()) {
            try {
                JsonNode event = json.readTree(line);
                if (event.path("trace").asText().equals(trace)) {
                    events.add(event);
                }
            } catch (JsonProcessingException e) {
                throw new AssertionError("the agent's sink line is not JSON: " + line, e);
            }
        }
        return events;
    }

    static synchronized Release installed() {
        if (release == null) {
            try {
                Path values = Files.createTempFile("packettrace-lab-values", ".yaml");
                Files.writeString(values, VALUES.formatted(ClusterLab.IMAGE_TAG, ClusterLab.IMAGE_TAG));
                release = new Helm(CHART)
                        .install()
                        .withName(NAME)
                        .withNamespace(NAMESPACE)
                        .createNamespace()
                        .withKubeConfig(ClusterLab.kubeconfig())
                        .withValuesFile(values)
                        .waitReady()
                        .withTimeout(180)
                        .call();
                Files.delete(values);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the lab's values file", e);
            }
        }
        return release;
    }
}
