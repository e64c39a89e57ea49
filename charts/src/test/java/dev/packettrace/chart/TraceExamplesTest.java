// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.chart;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.packettrace.api.v1alpha1.PacketTrace;
import dev.packettrace.api.validation.PacketTraceSpecValidator;
import dev.packettrace.api.validation.SpecValidation;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every PacketTrace a user may copy: examples/*.yaml, the YAML blocks of the docs (runbooks, quick start)
 * and the one in the chart's NOTES.txt. Each must be a PacketTrace the operator's own validator accepts,
 * and use only fields the CRD declares: a misspelt field would not be rejected by the API server, it would be
 * silently dropped (structural schema pruning), and the trace would run without it.
 */
class TraceExamplesTest {

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final Pattern MD_YAML_BLOCK = Pattern.compile("(?ms)^```yaml\\n(.*?)^```");
    static final Pattern NOTES_HEREDOC = Pattern.compile("(?ms)<<'YAML'[^\\n]*\\n(.*?)^\\s*YAML\\s*$");
    static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

    /** One PacketTrace document and where it was found. */
    record Example(String source, String yaml) {
        @Override
        public String toString() {
            return source;
        }
    }

    static Stream<Arguments> examples() {
        return all().stream().map(Arguments::of);
    }

    static List<Example> all() {
        List<Example> found = new ArrayList<>();
        try {
            try (Stream<Path> files = Files.list(Chart.ROOT.resolve("examples"))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".yaml"))
                        .sorted()
                        .toList()) {
                    addTraces(found, "examples/" + f.getFileName(), Files.readString(f));
                }
            }
            try (Stream<Path> docs = Files.walk(Chart.ROOT.resolve("docs"))) {
                for (Path f :
                        docs.filter(p -> p.toString().endsWith(".md")).sorted().toList()) {
                    Matcher m = MD_YAML_BLOCK.matcher(Files.readString(f));
                    while (m.find()) {
                        addTraces(found, Chart.ROOT.relativize(f).toString(), m.group(1));
                    }
                }
            }
            Matcher notes = NOTES_HEREDOC.matcher(Files.readString(Chart.DIR.resolve("templates/NOTES.txt")));
            while (notes.find()) {
                addTraces(found, "charts/packettrace/templates/NOTES.txt", dedent(notes.group(1)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return found;
    }

    /** Removes the indentation common to all non-blank lines (String.stripIndent counts a trailing blank line). */
    static String dedent(String text) {
        int indent = text.lines()
                .filter(l -> !l.isBlank())
                .mapToInt(l -> l.length() - l.stripLeading().length())
                .min()
                .orElse(0);
        return String.join(
                        "\n",
                        text.lines()
                                .map(l -> l.length() >= indent ? l.substring(indent) : l.strip())
                                .toList()) + "\n";
    }

    static void addTraces(List<Example> found, String source, String text) {
        int i = 0;
        for (String doc : text.split("(?m)^---\\s*$")) {
            if (doc.lines().anyMatch(l -> l.equals("kind: PacketTrace"))) {
                found.add(new Example(source + (i > 0 ? " #" + i : ""), doc));
                i++;
            }
        }
    }

    @Test
    void everyRunbookAndExampleIsCovered() throws IOException {
        List<Example> all = all();
        try (Stream<Path> runbooks = Files.list(Chart.ROOT.resolve("docs/runbooks"))) {
            for (Path r : runbooks.filter(p -> p.toString().endsWith(".md")
                            && !p.getFileName().toString().equals("README.md"))
                    .toList()) {
                String name = Chart.ROOT.relativize(r).toString();
                assertTrue(
                        all.stream().anyMatch(e -> e.source().startsWith(name)), name + " has no PacketTrace to apply");
            }
        }
        assertTrue(all.stream().filter(e -> e.source().startsWith("examples/")).count() >= 8, "examples: " + all);
        assertTrue(all.stream().anyMatch(e -> e.source().startsWith("docs/cluster-quickstart.md")));
        assertTrue(all.stream().anyMatch(e -> e.source().contains("NOTES.txt")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void isAValidPacketTraceWithOnlyCrdFields(Example example) throws IOException {
        JsonNode tree = YAML.readTree(example.yaml());
        assertEquals("packettrace.dev/v1alpha1", tree.path("apiVersion").asText(), example + ": apiVersion");
        List<String> problems = new ArrayList<>();
        tree.fieldNames().forEachRemaining(f -> {
            if (!Set.of("apiVersion", "kind", "metadata", "spec").contains(f)) {
                problems.add(f + " is not a top-level field of a PacketTrace");
            }
        });
        unknownFields(tree.path("spec"), specSchema(), "spec", problems);
        assertEquals(List.of(), problems, example + " uses fields the CRD does not have");

        String name = tree.path("metadata").path("name").asText();
        assertTrue(
                DNS_LABEL.matcher(name).matches() && name.length() <= 63, example + ": metadata.name '" + name + "'");
        if (example.source().startsWith("examples/")) {
            assertTrue(
                    tree.path("metadata").path("namespace").isMissingNode(),
                    example + ": no namespace, so that kubectl apply -n <the pods' namespace> works");
        }
        PacketTrace trace = new KubernetesSerialization().unmarshal(example.yaml(), PacketTrace.class);
        SpecValidation v = PacketTraceSpecValidator.validate(trace.getSpec());
        if (v instanceof SpecValidation.Invalid invalid) {
            fail(example + " is not a valid PacketTrace: " + invalid.message());
        }
    }

    @Test
    void theWalkerCatchesAMisspeltField() throws IOException {
        List<String> problems = new ArrayList<>();
        unknownFields(
                YAML.readTree("{targets: {podNames: [a]}, filter: {dstport: 80}, output: {packetContents: true}}"),
                specSchema(),
                "spec",
                problems);
        assertEquals(
                List.of("spec.filter.dstport is not in the CRD", "spec.output.packetContents is not in the CRD"),
                problems);
    }

    static JSONSchemaProps specSchema() {
        try {
            CustomResourceDefinition crd = new KubernetesSerialization()
                    .unmarshal(
                            Files.readString(Chart.ROOT.resolve("crds/packettraces.packettrace.dev-v1.yml")),
                            CustomResourceDefinition.class);
            return crd.getSpec()
                    .getVersions()
                    .getFirst()
                    .getSchema()
                    .getOpenAPIV3Schema()
                    .getProperties()
                    .get("spec");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Fields in node that schema does not declare, as the API server's pruning would see them. */
    static void unknownFields(JsonNode node, JSONSchemaProps schema, String path, List<String> problems) {
        if (schema == null || Boolean.TRUE.equals(schema.getXKubernetesPreserveUnknownFields())) {
            return;
        }
        if (node.isObject()) {
            Map<String, JSONSchemaProps> props = schema.getProperties();
            for (var field : node.properties()) {
                String p = path + "." + field.getKey();
                if (props != null && props.containsKey(field.getKey())) {
                    unknownFields(field.getValue(), props.get(field.getKey()), p, problems);
                } else if (schema.getAdditionalProperties() != null
                        && schema.getAdditionalProperties().getSchema() != null) {
                    unknownFields(
                            field.getValue(), schema.getAdditionalProperties().getSchema(), p, problems);
                } else if (schema.getAdditionalProperties() == null
                        || !Boolean.TRUE.equals(schema.getAdditionalProperties().getAllows())) {
                    problems.add(p + " is not in the CRD");
                }
            }
        } else if (node.isArray()
                && schema.getItems() != null
                && schema.getItems().getSchema() != null) {
            for (int i = 0; i < node.size(); i++) {
                unknownFields(node.get(i), schema.getItems().getSchema(), path + "[" + i + "]", problems);
            }
        }
    }
}
