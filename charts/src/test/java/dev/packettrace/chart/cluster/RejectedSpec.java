// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.chart.cluster;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packettrace.api.v1alpha1.PacketTrace;
import dev.packettrace.api.v1alpha1.PacketTraceStatus.Phase;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.concurrent.TimeUnit;

/**
 * How a real cluster refuses a bad PacketTrace: the API server rejects it at {@code kubectl apply} (schema,
 * CEL rules) with the field in its message, or accepts it and the operator ends it Failed with the field in
 * the Failed condition. Either way the user is told which field is wrong.
 */
final class RejectedSpec {

    private RejectedSpec() {}

    /** Applies the manifest as {@code kubectl apply} (optionally as a user) and asserts it is refused naming field. */
    static void assertRefusedNaming(
            KubernetesClient admin, String namespace, String name, String manifest, String field, String... asUser) {
        String[] args = asUser.length == 0
                ? new String[] {"apply", "-n", namespace, "-f", "-"}
                : new String[] {"apply", "-n", namespace, "--as", asUser[0], "-f", "-"};
        ClusterLab.Result applied = ClusterLab.kubectlWithInput(manifest, args);
        if (applied.exitCode() != 0) {
            assertTrue(
                    applied.stderr().contains(field),
                    "the API server's refusal names " + field + ": " + applied.stderr());
            return;
        }
        PacketTrace failed = admin.resources(PacketTrace.class)
                .inNamespace(namespace)
                .withName(name)
                .waitUntilCondition(
                        t -> t != null && t.getStatus() != null && t.getStatus().phase() == Phase.Failed,
                        60,
                        TimeUnit.SECONDS);
        String message = failed.getStatus().conditions().stream()
                .filter(c -> c.getType().equals("Failed"))
                .map(c -> c.getMessage())
                .findFirst()
                .orElse("");
        assertTrue(message.contains(field), "the Failed condition names " + field + ": " + message);
        admin.resources(PacketTrace.class).inNamespace(namespace).withName(name).delete();
    }
}
