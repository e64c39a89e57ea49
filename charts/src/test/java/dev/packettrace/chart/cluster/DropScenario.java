// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.chart.cluster;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * A namespace with a fault to find: pod "server" (busybox httpd on 8080) drops every TCP packet to 8080 with
 * an iptables rule in its own network namespace, and pod "client" keeps trying to connect, three times a
 * second. Made with kubectl run, as a user reproducing an incident would.
 */
final class DropScenario {

    static final String SERVER = "server";
    static final String CLIENT = "client";

    private DropScenario() {}

    /** Creates both pods in the namespace, waits until both run, then installs the DROP; returns the server. */
    static Pod create(KubernetesClient client, String namespace) {
        Pod server = LabPods.run(client, namespace, SERVER, "httpd", "-f", "-p", "8080", "-h", "/tmp");
        LabPods.run(
                client,
                namespace,
                CLIENT,
                LabPods.connectingTo(server.getStatus().getPodIP(), 8080, "0.3"));
        LabNode.iptablesInPod(server, "INPUT -p tcp --dport 8080 -j DROP");
        return server;
    }

    /** A PacketTrace of the server pod, as YAML for kubectl apply. */
    static String traceOfServer(String name, String duration) {
        return """
                apiVersion: packettrace.dev/v1alpha1
                kind: PacketTrace
                metadata: {name: %s}
                spec:
                  targets: {podNames: [server]}
                  duration: %s
                """.formatted(name, duration);
    }
}
