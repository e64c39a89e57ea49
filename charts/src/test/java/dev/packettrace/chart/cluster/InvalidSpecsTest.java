// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.chart.cluster;

import dev.packettrace.api.v1alpha1.PacketTrace;
import dev.packettrace.api.v1alpha1.PacketTraceSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.Locale;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every spec the operator's validator refuses (its own test's table) is refused by the real cluster too,
 * naming the same field: by the API server at kubectl apply, or by the operator as phase Failed.
 */
@Tag(ClusterLab.TAG)
class InvalidSpecsTest {

    static final String NAMESPACE = "invalid-specs";

    @RegisterExtension
    static final LabNamespace LAB = LabNamespace.empty(NAMESPACE);

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.packettrace.api.validation.PacketTraceSpecValidatorTest#invalidSpecs")
    void refusedNamingTheField(String label, PacketTraceSpec spec, String field, String fragment) {
        String name = "invalid-" + label.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
        PacketTrace trace = new PacketTrace();
        trace.setMetadata(new ObjectMetaBuilder().withName(name).build());
        trace.setSpec(spec);
        RejectedSpec.assertRefusedNaming(
                LAB.client(), NAMESPACE, name, new KubernetesSerialization().asYaml(trace), field);
    }
}
