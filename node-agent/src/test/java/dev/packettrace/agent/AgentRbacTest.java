// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.packettrace.api.rbac.RequiresRbac;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The agent's RBAC needs are written next to the code as {@link RequiresRbac} annotations. The operator
 * module renders operator/rbac/node-agent.yaml from the annotations it can see (the API module's); this
 * checks that the rendered ClusterRole grants every rule the agent's own classes declare, so the agent
 * cannot come to need a permission the manifest lacks.
 */
class AgentRbacTest {

    static final Path MANIFEST = Path.of(System.getProperty("packettrace.rbac.directory", "../operator/rbac"))
            .resolve("node-agent.yaml");

    @Test
    void theAgentsClusterRoleGrantsWhatTheAgentsCodeDeclares() throws IOException {
        Set<String> granted = granted();
        List<RequiresRbac> declared = declaredByAgentClasses();
        assertFalse(declared.isEmpty(), "the agent declares what it needs");
        List<String> missing = new ArrayList<>();
        for (RequiresRbac r : declared) {
            assertEquals(RequiresRbac.Subject.AGENT, r.subject(), "agent code declares agent rules: " + r);
            for (String verb : r.verbs()) {
                String rule = r.apiGroup() + "/" + r.resource() + ":" + verb;
                if (!granted.contains(rule)) {
                    missing.add(rule + " (" + r.why() + ")");
                }
            }
        }
        assertEquals(List.of(), missing, MANIFEST + " lacks rules the agent declares");
        assertTrue(
                granted.stream()
                        .noneMatch(g -> g.startsWith("packettrace.dev/packettraces:")
                                && !g.endsWith(":get")
                                && !g.endsWith(":list")
                                && !g.endsWith(":watch")),
                "agents never write a PacketTrace: " + granted);
    }

    /** "group/resource:verb" for every rule of the ClusterRole in the manifest. */
    static Set<String> granted() throws IOException {
        Set<String> out = new HashSet<>();
        try (MappingIterator<JsonNode> docs =
                new YAMLMapper().readerFor(JsonNode.class).readValues(Files.readString(MANIFEST))) {
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                if (doc == null || !"ClusterRole".equals(doc.path("kind").asText())) {
                    continue;
                }
                for (JsonNode rule : doc.path("rules")) {
                    for (JsonNode group : rule.path("apiGroups")) {
                        for (JsonNode resource : rule.path("resources")) {
                            for (JsonNode verb : rule.path("verbs")) {
                                out.add(group.asText() + "/" + resource.asText() + ":" + verb.asText());
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    static List<RequiresRbac> declaredByAgentClasses() throws IOException {
        try {
            Path classes = Path.of(NodeAgent.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            Path agent = classes.resolve("dev/packettrace/agent");
            List<RequiresRbac> out = new ArrayList<>();
            try (Stream<Path> files = Files.walk(agent)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                    String name =
                            classes.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", "");
                    out.addAll(List.of(Class.forName(name, false, NodeAgent.class.getClassLoader())
                            .getAnnotationsByType(RequiresRbac.class)));
                }
            }
            return out;
        } catch (URISyntaxException | ClassNotFoundException e) {
            throw new IllegalStateException("cannot list the agent's classes", e);
        }
    }
}
