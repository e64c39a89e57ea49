// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.chart.cluster;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.util.concurrent.TimeUnit;

/**
 * A namespace with a fault to find: pod "server" (busybox httpd on 8080) drops every TCP packet to 8080 with
 * an iptables rule in its own network namespace, and pod "client" keeps trying to connect, three times a
 * second. Made with kubectl run, as a user reproducing an incident would.
 */
final class DropScenario {

    static final String SERVER = "server";
    static final String CLIENT = "client";

    private DropScenario() {
    }

    /** Creates both pods in the namespace, waits until both run, then installs the DROP; returns the server. */
    static Pod create(KubernetesClient client, String namespace) {
        ClusterLab.kubectl("run", SERVER, "-n", namespace, "--labels=app=server", "--image=" + ClusterLab.BUSYBOX,
                "--image-pull-policy=Never", "--", "httpd", "-f", "-p", "8080", "-h", "/tmp").requireSuccess();
        Pod server = client.pods().inNamespace(namespace).withName(SERVER).waitUntilReady(120, TimeUnit.SECONDS);
        String ip = server.getStatus().getPodIP();
        ClusterLab.kubectl("run", CLIENT, "-n", namespace, "--image=" + ClusterLab.BUSYBOX, "--image-pull-policy=Never",
                "--", "sh", "-c", "while true; do nc -w 1 " + ip + " 8080 </dev/null; sleep 0.3; done").requireSuccess();
        client.pods().inNamespace(namespace).withName(CLIENT).waitUntilReady(120, TimeUnit.SECONDS);
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
