// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.chart;

import static org.junit.jupiter.api.Assertions.*;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad values fail helm template (and so helm install) before anything reaches the cluster, with a message
 * that names the value and says what is wrong: values.schema.json for single values, the chart's own
 * checks (templates/_helpers.tpl, packettrace.validate) for combinations.
 */
class ValuesSchemaTest {

    static Stream<Arguments> badValues() {
        return Stream.of(
                Arguments.of("misspelt key", "agnet: {privileged: true}", "additional properties 'agnet' not allowed"),
                Arguments.of(
                        "misspelt nested key",
                        "agent: {logsink: {type: file}}",
                        "at '/agent': additional properties 'logsink' not allowed"),
                Arguments.of(
                        "cap policy",
                        "limits: {capPolicy: sometimes}",
                        "at '/limits/capPolicy': value must be one of 'clamp', 'reject'"),
                Arguments.of(
                        "capability with prefix",
                        "agent: {capabilities: [CAP_BPF]}",
                        "at '/agent/capabilities/0': value must be one of"),
                Arguments.of(
                        "capabilities not a list",
                        "agent: {capabilities: BPF}",
                        "at '/agent/capabilities': got string, want array"),
                Arguments.of(
                        "duration words",
                        "limits: {maxDuration: 1 hour}",
                        "at '/limits/maxDuration': '1 hour' does not match pattern"),
                Arguments.of(
                        "duration unit",
                        "timeouts: {pending: 5min}",
                        "at '/timeouts/pending': '5min' does not match pattern"),
                Arguments.of(
                        "zero traces per node",
                        "limits: {maxTracesPerNode: 0}",
                        "at '/limits/maxTracesPerNode': minimum"),
                Arguments.of(
                        "events not a number",
                        "limits: {maxEventsPerTrace: lots}",
                        "at '/limits/maxEventsPerTrace': got string, want integer"),
                Arguments.of(
                        "memory unit",
                        "agent: {resources: {limits: {memory: 512MB}}}",
                        "at '/agent/resources/limits/memory': '512MB' does not match pattern"),
                Arguments.of(
                        "toleration operator",
                        "agent: {tolerations: [{operator: Exist}]}",
                        "at '/agent/tolerations/0/operator': value must be one of 'Exists', 'Equal'"),
                Arguments.of(
                        "node selector value",
                        "agent: {nodeSelector: {pool: 3}}",
                        "at '/agent/nodeSelector/pool': got number, want string"),
                Arguments.of(
                        "packet content as text",
                        "packetContent: {allowed: \"yes\"}",
                        "at '/packetContent/allowed': got string, want boolean"),
                Arguments.of(
                        "privileged as text",
                        "agent: {privileged: \"true\"}",
                        "at '/agent/privileged': got string, want boolean"),
                Arguments.of(
                        "sink directory escape",
                        "agent: {logSink: {hostDirectory: /var/../etc}}",
                        "at '/agent/logSink/hostDirectory': '/var/../etc' does not match pattern"),
                Arguments.of(
                        "sink directory root",
                        "agent: {logSink: {hostDirectory: /}}",
                        "at '/agent/logSink/hostDirectory': '/' does not match pattern"),
                Arguments.of(
                        "sink file with directory",
                        "agent: {logSink: {type: file, file: ../x}}",
                        "at '/agent/logSink/file': '../x' does not match pattern"),
                Arguments.of(
                        "sink type",
                        "agent: {logSink: {type: syslog}}",
                        "at '/agent/logSink/type': value must be one of 'stdout', 'file'"),
                Arguments.of(
                        "image digest",
                        "agent: {image: {digest: latest}}",
                        "at '/agent/image/digest': 'latest' does not match pattern"),
                Arguments.of(
                        "pull policy",
                        "operator: {image: {pullPolicy: Sometimes}}",
                        "at '/operator/image/pullPolicy': value must be one of 'Always', 'IfNotPresent', 'Never'"),
                Arguments.of("no operator", "operator: {replicas: 0}", "at '/operator/replicas': minimum"),
                Arguments.of(
                        "priority class",
                        "agent: {priorityClassName: System_Critical}",
                        "at '/agent/priorityClassName': 'System_Critical' does not match pattern"),
                Arguments.of(
                        "replicas without leader election",
                        "operator: {replicas: 2, leaderElection: false}",
                        "operator.replicas: 2 replicas need operator.leaderElection=true"),
                Arguments.of(
                        "capabilities that cannot trace",
                        "agent: {capabilities: [SYSLOG, SYS_PTRACE]}",
                        "agent.capabilities: [SYSLOG SYS_PTRACE] cannot load the tracer: it needs BPF and PERFMON (or SYS_ADMIN on kernels before 5.8), unless agent.privileged is true"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badValues")
    void failsNamingTheValue(String label, String values, String expected) {
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> Chart.template(Chart.RELEASE, Chart.NAMESPACE, values),
                label + ": helm template accepted " + values);
        assertTrue(e.getMessage().contains(expected), label + ": expected '" + expected + "' in:\n" + e.getMessage());
    }
}
