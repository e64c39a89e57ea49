// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.chart.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.packettrace.api.v1alpha1.PacketTrace;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code kubectl get packettraces} and {@code kubectl get pt -o wide} show the CRD's printer columns. */
@Tag(ClusterLab.TAG)
class PrinterColumnsTest {

    static final String NAMESPACE = "columns";
    static final String TRACE = """
            apiVersion: packettrace.dev/v1alpha1
            kind: PacketTrace
            metadata: {name: no-such-pod}
            spec:
              targets: {podNames: [no-such-pod]}
              duration: 30s
            """;

    @RegisterExtension
    static final LabNamespace LAB = LabNamespace.empty(NAMESPACE);

    static PacketTrace trace;

    @BeforeAll
    static void traceWithAStatus() {
        ClusterLab.kubectlWithInput(TRACE, "apply", "-n", NAMESPACE, "-f", "-").requireSuccess();
        trace = LAB.client()
                .resources(PacketTrace.class)
                .inNamespace(NAMESPACE)
                .withName("no-such-pod")
                .waitUntilCondition(t -> t.getStatus() != null && t.getStatus().phase() != null, 60, TimeUnit.SECONDS);
    }

    /** The column names the CRD declares (as kubectl prints them), priority 0 only or all. */
    static List<String> declaredColumns(boolean wide) throws IOException {
        JsonNode crd = new ObjectMapper(new YAMLFactory())
                .readTree(LabRelease.CHART
                        .resolve("crds/packettraces.packettrace.dev-v1.yml")
                        .toFile());
        List<String> names = new ArrayList<>(List.of("NAME"));
        for (JsonNode column : crd.path("spec").path("versions").get(0).path("additionalPrinterColumns")) {
            if (wide || column.path("priority").asInt(0) == 0) {
                names.add(column.path("name").asText().toUpperCase(java.util.Locale.ROOT));
            }
        }
        return names;
    }

    static List<String> header(String output) {
        return Arrays.asList(output.lines().findFirst().orElseThrow().trim().split("\\s{2,}"));
    }

    @Test
    void getPackettracesShowsTheDefaultColumns() throws IOException {
        String out = ClusterLab.kubectl("get", "packettraces", "-n", NAMESPACE)
                .requireSuccess()
                .stdout();
        assertEquals(declaredColumns(false), header(out));
        String row = out.lines().skip(1).findFirst().orElseThrow();
        assertTrue(row.startsWith("no-such-pod "), row);
        assertTrue(
                row.contains(" " + trace.getStatus().phase().name() + " "),
                "the phase column reads status.phase: " + row);
    }

    @Test
    void wideOutputAddsLossAndTheTopDrop() throws IOException {
        String out = ClusterLab.kubectl("get", "pt", "-o", "wide", "-n", NAMESPACE)
                .requireSuccess()
                .stdout();
        List<String> wide = declaredColumns(true);
        assertTrue(wide.containsAll(List.of("LOST", "TOP-DROP", "LOCATION")), wide.toString());
        assertEquals(wide, header(out));
    }
}
