// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.chart.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packettrace.api.v1alpha1.PacketTrace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every file in examples/ goes through {@code kubectl apply} as a user would paste it: the real API server
 * applies the CRD's schema, CEL rules and defaults, and the operator takes it up (it sets a phase).
 */
@Tag(ClusterLab.TAG)
class ExamplesApplyTest {

    static final String NAMESPACE = "examples";

    @RegisterExtension
    static final LabNamespace LAB = LabNamespace.empty(NAMESPACE);

    static Stream<Path> examples() throws IOException {
        try (Stream<Path> files =
                Files.list(LabRelease.CHART.getParent().getParent().resolve("examples"))) {
            List<Path> yaml =
                    files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
            assertTrue(yaml.size() >= 5, "examples/ holds the ready-made traces");
            return yaml.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void kubectlApplyAcceptsTheExample(Path example) throws IOException {
        String name = new com.fasterxml.jackson.databind.ObjectMapper(
                        new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
                .readTree(example.toFile())
                .path("metadata")
                .path("name")
                .asText();
        ClusterLab.Result applied = ClusterLab.kubectl("apply", "-n", NAMESPACE, "-f", example.toString());
        assertEquals(0, applied.exitCode(), applied.stderr());
        assertEquals("packettrace.packettrace.dev/" + name + " created\n", applied.stdout());
        // the server's defaults are in place, and the operator has taken the trace up
        PacketTrace trace = LAB.client()
                .resources(PacketTrace.class)
                .inNamespace(NAMESPACE)
                .withName(name)
                .waitUntilCondition(t -> t.getStatus() != null && t.getStatus().phase() != null, 60, TimeUnit.SECONDS);
        assertNotNull(trace.getSpec().backend(), "spec.backend defaulted by the API server");
        ClusterLab.kubectl("delete", "-n", NAMESPACE, "-f", example.toString(), "--wait=true", "--timeout=60s")
                .requireSuccess();
    }
}
