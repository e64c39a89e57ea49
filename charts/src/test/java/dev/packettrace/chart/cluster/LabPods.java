// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.chart.cluster;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The pods of a test's scenario, started with {@code kubectl run} from the lab's busybox image, as a user
 * reproducing an incident would, each labelled {@code app=<name>}.
 */
final class LabPods {

    private LabPods() {}

    /** Starts pod {@code name} running {@code command} and returns it once it is ready (its IP known). */
    static Pod run(KubernetesClient client, String namespace, String name, String... command) {
        List<String> args = new ArrayList<>(List.of(
                "run",
                name,
                "-n",
                namespace,
                "--labels=app=" + name,
                "--image=" + ClusterLab.BUSYBOX,
                "--image-pull-policy=Never",
                "--"));
        args.addAll(List.of(command));
        ClusterLab.kubectl(args.toArray(String[]::new)).requireSuccess();
        return client.pods().inNamespace(namespace).withName(name).waitUntilReady(120, TimeUnit.SECONDS);
    }

    /** A client loop: a TCP connection attempt to ip:port every {@code pause} seconds, never sending data. */
    static String[] connectingTo(String ip, int port, String pause) {
        return new String[] {
            "sh", "-c", "while true; do nc -w 1 " + ip + " " + port + " </dev/null; sleep " + pause + "; done"
        };
    }
}
