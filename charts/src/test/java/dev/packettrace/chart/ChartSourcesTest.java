// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.chart;

import static org.junit.jupiter.api.Assertions.*;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The chart's crds/ and files/rbac/ are copies of the generated top-level crds/ and operator/rbac/ (the
 * build copies them before tests; in CI it only checks). Any difference means someone edited a copy or
 * committed a model change without the chart.
 */
class ChartSourcesTest {

    static final String FIX =
            "run ./mvnw -pl charts -am generate-resources (it copies them) and commit charts/packettrace";

    @Test
    void chartCrdsAreTheGeneratedCrds() throws IOException {
        assertSameFiles(Chart.ROOT.resolve("crds"), Chart.DIR.resolve("crds"), ".yml");
    }

    @Test
    void chartRbacFilesAreTheGeneratedRbac() throws IOException {
        assertSameFiles(Chart.ROOT.resolve("operator/rbac"), Chart.DIR.resolve("files/rbac"), ".yaml");
    }

    @Test
    void helmInstallsBothCrds() {
        String crds = new Helm(Chart.DIR).show().crds().call();
        List<HasMetadata> parsed = Chart.parse(crds);
        Set<String> names = parsed.stream()
                .map(o -> assertInstanceOf(CustomResourceDefinition.class, o))
                .map(c -> c.getMetadata().getName())
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(Set.of("packettraces.packettrace.dev", "packettracereports.packettrace.dev"), names);
    }

    static void assertSameFiles(Path generated, Path copy, String suffix) throws IOException {
        List<String> problems = new ArrayList<>();
        List<Path> sources = list(generated, suffix);
        assertFalse(sources.isEmpty(), "nothing generated in " + generated);
        for (Path source : sources) {
            Path c = copy.resolve(source.getFileName());
            if (!Files.exists(c)) {
                problems.add(c + " is missing");
            } else if (!Files.readString(c).equals(Files.readString(source))) {
                problems.add(c + " differs from " + source);
            }
        }
        Set<String> expected =
                sources.stream().map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        for (Path extra : list(copy, suffix)) {
            if (!expected.contains(extra.getFileName().toString())) {
                problems.add(extra + " is not generated any more: delete it");
            }
        }
        assertEquals(List.of(), problems, FIX);
    }

    static List<Path> list(Path dir, String suffix) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(suffix))
                    .sorted(Comparator.naturalOrder())
                    .toList();
        }
    }
}
