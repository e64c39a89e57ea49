// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.images;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * No Docker engine here, so the Dockerfiles cannot be built: this checks that what they copy is the layout the
 * other tests run, and that their entry point is that layout's launcher.
 */
class DockerfilesIT {

    static final Path ROOT = Layouts.DIR.getParent().getParent().getParent();

    @ParameterizedTest
    @CsvSource({"node-agent/Dockerfile, node-agent", "operator/Dockerfile, operator"})
    void copiesTheTestedLayoutAndStartsItsLauncher(String dockerfile, String image) throws IOException {
        String text = Files.readString(ROOT.resolve(dockerfile));
        assertTrue(
                text.lines().anyMatch(l -> l.startsWith("FROM debian:bookworm")),
                dockerfile + " is based on Debian bookworm");
        List<String> copies = text.lines().filter(l -> l.startsWith("COPY ")).toList();
        assertEquals(
                List.of("COPY images/target/layout/" + image + "/ /"),
                copies,
                dockerfile + " copies exactly the layout");
        Matcher entry = Pattern.compile("(?m)^ENTRYPOINT \\[\"(/[^\"]+)\"]").matcher(text);
        assertTrue(entry.find(), dockerfile + " has an exec-form ENTRYPOINT");
        Path launcher = Layouts.DIR.resolve(image).resolve(entry.group(1).substring(1));
        assertTrue(
                Files.isExecutable(launcher),
                dockerfile + "'s entry point " + entry.group(1) + " is not in the layout at " + launcher);
        if (image.equals("operator")) {
            assertTrue(text.contains("\nUSER 65532:65532\n"), "the operator image runs as a non-root user");
        } else {
            assertTrue(text.contains("libbpf1"), "the agent loads libbpf");
            assertTrue(text.contains("libpcap0.8"), "the agent compiles filter expressions with libpcap");
        }
    }
}
