// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.List;

/**
 * The pods a trace covers. Both forms may be given; a pod matching either is a target. There is
 * deliberately no namespace field: a PacketTrace only ever sees pods in its own namespace, so that
 * being allowed to create one in a namespace never reveals traffic of another.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonIgnoreProperties(ignoreUnknown = true)
@ValidationRule(
        value = "has(self.podSelector) || (has(self.podNames) && size(self.podNames) > 0)",
        message = "spec.targets needs a podSelector or at least one pod name")
@ValidationRule(
        value =
                "!has(self.podSelector) || (has(self.podSelector.matchLabels) && size(self.podSelector.matchLabels) > 0)"
                        + " || (has(self.podSelector.matchExpressions) && size(self.podSelector.matchExpressions) > 0)",
        message =
                "spec.targets.podSelector is empty and would select every pod in the namespace; give matchLabels or matchExpressions")
public record TargetSpec(
        @JsonPropertyDescription("Pods whose labels match, in the PacketTrace's namespace.")
        LabelSelector podSelector,

        @Size(max = MAX_POD_NAMES)
        @JsonPropertyDescription(
                "Pod names in the PacketTrace's namespace (not namespace/name: other namespaces cannot be traced).")
        List<String> podNames) {

    public static final int MAX_POD_NAMES = 64;

    public TargetSpec {
        podNames = podNames == null ? List.of() : List.copyOf(podNames);
    }
}
