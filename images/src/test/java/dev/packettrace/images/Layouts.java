// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.images;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** The layouts the build cut (target/layout), and running their launchers as an image would. */
final class Layouts {

    static final Path DIR = Path.of(System.getProperty("packettrace.layout.directory", "target/layout"))
            .toAbsolutePath();

    private Layouts() {}

    static Path home(String image) {
        Path home = DIR.resolve(image).resolve(RuntimeLayout.PREFIX);
        if (!Files.isDirectory(home)) {
            throw new AssertionError(
                    home + " does not exist: the package phase builds it (./mvnw -B -pl images -am verify)");
        }
        return home;
    }

    /**
     * A process started from a launcher with an environment like a container's: no JAVA_HOME, and a PATH
     * without any JDK, so that only the layout's own runtime can run it.
     */
    static ProcessBuilder launch(Path launcher, Path output, Map<String, String> env, List<String> args) {
        ProcessBuilder pb = new ProcessBuilder();
        pb.command().add(launcher.toString());
        pb.command().addAll(args);
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        pb.environment().put("HOME", output.getParent().toString());
        pb.environment().putAll(env);
        pb.redirectErrorStream(true);
        pb.redirectOutput(output.toFile());
        return pb;
    }

    static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new AssertionError("cannot read " + file, e);
        }
    }

    /** Polls a condition until a deadline; the short pause between checks is not synchronisation. */
    static void await(String what, Duration timeout, Supplier<Boolean> condition, Supplier<String> context) {
        Instant deadline = Instant.now().plus(timeout);
        RuntimeException last = null;
        while (Instant.now().isBefore(deadline)) {
            try {
                if (Boolean.TRUE.equals(condition.get())) {
                    return;
                }
            } catch (RuntimeException e) {
                last = e;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
        throw new AssertionError("timed out after " + timeout + " waiting for " + what + "\n" + context.get(), last);
    }
}
