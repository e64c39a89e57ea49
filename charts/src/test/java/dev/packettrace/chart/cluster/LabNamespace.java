// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.chart.cluster;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A namespace of the lab that one test class owns, registered as a static extension: before the class the
 * chart is installed (once per JVM) and the namespace made, optionally with the {@link DropScenario}; after
 * it the namespace goes, with everything in it, and the admin client is closed.
 */
final class LabNamespace implements BeforeAllCallback, AfterAllCallback {

    private final String name;
    private final boolean dropScenario;
    private KubernetesClient client;

    private LabNamespace(String name, boolean dropScenario) {
        this.name = name;
        this.dropScenario = dropScenario;
    }

    static LabNamespace empty(String name) {
        return new LabNamespace(name, false);
    }

    static LabNamespace withDropScenario(String name) {
        return new LabNamespace(name, true);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        LabRelease.installed();
        client = ClusterLab.admin();
        client.namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .endMetadata()
                        .build())
                .serverSideApply();
        if (dropScenario) {
            DropScenario.create(client, name);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        try {
            // the scenarios' shell loops run as PID 1 and ignore SIGTERM: without a short grace period each pod
            // would hold the namespace's deletion for the default 30 s
            ClusterLab.kubectl(
                            "delete",
                            "deployments,pods",
                            "--all",
                            "-n",
                            name,
                            "--grace-period=1",
                            "--wait=true",
                            "--timeout=120s")
                    .requireSuccess();
            ClusterLab.kubectl("delete", "namespace", name, "--wait=true", "--timeout=120s")
                    .requireSuccess();
        } finally {
            client.close();
        }
    }

    String name() {
        return name;
    }

    /** The admin client, open from before the class's first test to after its last. */
    KubernetesClient client() {
        return client;
    }
}
