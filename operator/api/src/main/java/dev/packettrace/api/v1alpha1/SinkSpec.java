// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * Where the agent writes every event (one JSON line each, tagged with trace, pod and node). The status
 * only ever holds counts and a few recent events; the full stream goes here.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@ValidationRule(
        value = "self.type != 'hostPath' || has(self.path)",
        message = "spec.sink.path is required when spec.sink.type is hostPath")
@ValidationRule(
        value = "self.type == 'hostPath' || !has(self.path)",
        message = "spec.sink.path only applies when spec.sink.type is hostPath")
@ValidationRule(
        value = "!has(self.path) || !self.path.matches('(^|/)[.][.]?(/|$)')",
        message = "spec.sink.path may not contain . or .. segments")
public record SinkSpec(
        @Default("stdout")
        @Pattern("^(stdout|hostPath)$")
        @JsonPropertyDescription(
                "stdout: JSON lines on the node agent's standard output (read them with kubectl logs). hostPath: a file per trace under path on each node.")
        String type,

        @Pattern(HOST_PATH_PATTERN)
        @JsonPropertyDescription(
                "For hostPath: an absolute directory on the node, below /var/log/packettrace. The agent writes <namespace>_<name>.jsonl there.")
        String path) {

    public static final String TYPE_STDOUT = "stdout";
    public static final String TYPE_HOST_PATH = "hostPath";
    /** The only host directory tree the agent's DaemonSet mounts; a trace may not write anywhere else on a node. */
    public static final String HOST_PATH_ROOT = "/var/log/packettrace";

    public static final String HOST_PATH_PATTERN = "^/var/log/packettrace(/[A-Za-z0-9._-]+)*/?$";

    public static SinkSpec stdout() {
        return new SinkSpec(TYPE_STDOUT, null);
    }
}
