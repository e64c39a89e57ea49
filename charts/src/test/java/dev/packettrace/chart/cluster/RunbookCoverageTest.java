// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.chart.cluster;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every runbook in docs/runbooks has its test against the cluster lab ({@code <Name>RunbookTest}, run by
 * hack/cluster-lab-tests), and the index lists it: a runbook added without a test fails here, in the plain
 * build, before anyone follows it in an incident. Runs without the lab.
 */
class RunbookCoverageTest {

    static List<String> runbooks() throws IOException {
        try (Stream<Path> files = Files.list(Runbook.DIRECTORY)) {
            return files.map(f -> f.getFileName().toString())
                    .filter(f -> f.endsWith(".md") && !f.equals("README.md"))
                    .map(f -> f.substring(0, f.length() - ".md".length()))
                    .sorted()
                    .toList();
        }
    }

    static String testClassOf(String runbook) {
        return ClusterLab.class.getPackageName() + "."
                + Arrays.stream(runbook.split("-"))
                        .map(w -> Character.toUpperCase(w.charAt(0)) + w.substring(1))
                        .collect(Collectors.joining())
                + "RunbookTest";
    }

    @Test
    void everyRunbookIsExecutedByATestAndListedInTheIndex() throws Exception {
        List<String> runbooks = runbooks();
        assertFalse(runbooks.isEmpty(), "no runbooks under " + Runbook.DIRECTORY);
        String index = Files.readString(Runbook.DIRECTORY.resolve("README.md"));
        for (String runbook : runbooks) {
            Class<?> test = Class.forName(testClassOf(runbook));
            assertTrue(test.isAnnotationPresent(org.junit.jupiter.api.Tag.class), test + " runs against the lab");
            assertTrue(index.contains("(" + runbook + ".md)"), "docs/runbooks/README.md does not list " + runbook);
            Runbook.read(runbook); // parses: at least one trace to apply and one command to read it
        }
    }
}
