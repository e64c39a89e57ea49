// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.chart.cluster;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packettrace.api.v1alpha1.PacketTraceStatus.Phase;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * spec.filter.expression on a real node: two traces of the same pod, one with the expression
 * {@code tcp and dst port 8080} and one without, see the same traffic (connections to the pod's port 8080,
 * their replies, and pings); the first trace's sink holds only what the expression matches, the second's
 * everything. An expression libpcap refuses ends its trace Failed naming the field.
 */
@Tag(ClusterLab.TAG)
class FilterExpressionTest {

    static final String NAMESPACE = "filter-expression";

    @RegisterExtension
    static final LabNamespace LAB = LabNamespace.empty(NAMESPACE);

    @Test
    void aTraceWithAnExpressionKeepsOnlyThePacketsItMatches() throws Exception {
        Pod server = LabPods.run(LAB.client(), NAMESPACE, "server", "httpd", "-f", "-p", "8080", "-h", "/tmp");
        String serverIp = server.getStatus().getPodIP();
        LabPods.run(LAB.client(), NAMESPACE, "client", LabPods.connectingTo(serverIp, 8080, "0.3"));
        ClusterLab.kubectlWithInput(
                        trace("port-8080", "filter: {expression: 'tcp and dst port 8080'}") + "---\n"
                                + trace("everything", ""),
                        "apply",
                        "-n",
                        NAMESPACE,
                        "-f",
                        "-")
                .requireSuccess();
        LabTraces.awaitPhase(LAB.client(), NAMESPACE, "port-8080", Phase.Running);
        LabTraces.awaitPhase(LAB.client(), NAMESPACE, "everything", Phase.Running);

        Pod agent = LabRelease.agent(LAB.client());
        try (LogWatch log = LAB.client()
                .pods()
                .inNamespace(LabRelease.NAMESPACE)
                .withName(agent.getMetadata().getName())
                .tailingLines(0)
                .watchLog()) {
            // the agent hands each event to every trace in turn: once the expression's trace has an event after
            // the other trace's first ping, both have judged that ping
            CompletableFuture<Lines> judged = CompletableFuture.supplyAsync(() -> readUntilJudged(log));
            ClusterLab.kubectl("exec", "-n", NAMESPACE, "client", "--", "ping", "-c", "3", "-W", "1", serverIp)
                    .requireSuccess();
            Lines lines = judged.get(120, TimeUnit.SECONDS);
            assertTrue(lines.everything.stream().anyMatch(e -> proto(e).equals("icmp")), "the pings are traced");
            assertTrue(
                    lines.everything.stream().anyMatch(FilterExpressionTest::isReply),
                    "the server's replies are traced: " + lines.everything.size() + " events");
            assertFalse(lines.matched.isEmpty());
            for (JsonNode e : lines.matched) {
                assertTrue(
                        proto(e).equals("tcp") && e.at("/tuple/dport").asInt() == 8080,
                        "an event of the trace with 'tcp and dst port 8080' that the expression does not match: " + e);
            }
        } catch (TimeoutException | ExecutionException e) {
            throw new AssertionError(
                    "the agent's sink did not show both traces' view of the pings and the server's replies", e);
        }
    }

    @Test
    void anExpressionLibpcapRefusesEndsTheTraceFailedNamingTheField() {
        RejectedSpec.assertRefusedNaming(
                LAB.client(),
                NAMESPACE,
                "bad-expression",
                trace("bad-expression", "filter: {expression: 'tcp and and port'}"),
                "spec.filter.expression");
    }

    private record Lines(List<JsonNode> everything, List<JsonNode> matched) {}

    private static Lines readUntilJudged(LogWatch log) {
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> everything = new ArrayList<>();
        List<JsonNode> matched = new ArrayList<>();
        boolean pinged = false;
        boolean replied = false;
        boolean judgedAfterPing = false;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(log.getOutput(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (!line.startsWith("{")) {
                    continue;
                }
                JsonNode e = json.readTree(line);
                String trace = e.path("trace").asText();
                if (trace.equals(NAMESPACE + "/everything")) {
                    everything.add(e);
                    pinged |= proto(e).equals("icmp");
                    replied |= isReply(e);
                } else if (trace.equals(NAMESPACE + "/port-8080")) {
                    matched.add(e);
                    judgedAfterPing |= pinged;
                }
                // the reply may reach the other trace after the expression's trace has judged the ping
                if (judgedAfterPing && replied) {
                    return new Lines(everything, matched);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading the agent's log", e);
        }
        throw new AssertionError("the agent's log ended before both traces had judged a ping");
    }

    private static boolean isReply(JsonNode event) {
        return proto(event).equals("tcp") && event.at("/tuple/sport").asInt() == 8080;
    }

    private static String proto(JsonNode event) {
        return event.at("/tuple/l4proto").asText();
    }

    private static String trace(String name, String filter) {
        return """
                apiVersion: packettrace.dev/v1alpha1
                kind: PacketTrace
                metadata: {name: %s}
                spec:
                  targets: {podNames: [server]}
                  duration: 10m
                  %s
                """.formatted(name, filter);
    }
}
