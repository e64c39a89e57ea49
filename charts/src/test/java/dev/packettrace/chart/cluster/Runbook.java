// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.chart.cluster;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A runbook of docs/runbooks as its reader follows it: the PacketTraces it says to apply (its {@code yaml}
 * blocks) and the commands it says to run (its {@code sh} blocks), both taken verbatim from the file, so a
 * runbook that stops being true fails its test.
 */
record Runbook(String name, String text, List<String> manifests, List<String> commands) {

    static final Path DIRECTORY = Path.of(System.getProperty("packettrace.root", ".."))
            .toAbsolutePath()
            .normalize()
            .resolve("docs/runbooks");
    private static final Pattern FENCE = Pattern.compile("^```(\\w+)\\n(.*?)^```$", Pattern.DOTALL | Pattern.MULTILINE);

    Runbook {
        manifests = List.copyOf(manifests);
        commands = List.copyOf(commands);
    }

    /** docs/runbooks/{name}.md, which must hold at least one PacketTrace and one command to read it. */
    static Runbook read(String name) {
        Path file = DIRECTORY.resolve(name + ".md");
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the runbook " + file, e);
        }
        List<String> manifests = new ArrayList<>();
        List<String> commands = new ArrayList<>();
        Matcher block = FENCE.matcher(text);
        while (block.find()) {
            switch (block.group(1)) {
                case "yaml" -> manifests.add(block.group(2));
                case "sh" -> commands.add(block.group(2));
                default ->
                    throw new AssertionError(file + ": a ```" + block.group(1) + " block: the runbooks hold yaml"
                            + " to apply and sh to run, nothing else");
            }
        }
        assertTrue(!manifests.isEmpty() && !commands.isEmpty(), file + ": no yaml or no sh block");
        return new Runbook(name, text, manifests, commands);
    }

    /** Step 1 of every runbook: kubectl apply -f - of each of its PacketTraces, as written. */
    void applyTraces() {
        for (String manifest : manifests) {
            ClusterLab.kubectlWithInput(manifest, "apply", "-f", "-").requireSuccess();
        }
    }

    /** Runs the runbook's {@code index}-th sh block as a shell would, with the lab's kubectl; its output lines. */
    List<String> run(int index) {
        return ClusterLab.shell(commands.get(index))
                .requireSuccess()
                .stdout()
                .lines()
                .toList();
    }

    /** The runbook says this, line breaks aside (so what the test checks is what the reader is told). */
    void assertSays(String phrase) {
        assertTrue(text.replaceAll("\\s+", " ").contains(phrase), name + ".md no longer says: " + phrase);
    }
}
