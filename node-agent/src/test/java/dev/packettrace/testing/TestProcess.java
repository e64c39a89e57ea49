// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** A long-running child process (killed on close) standing in for a pod's container process. */
public final class TestProcess implements AutoCloseable {

    private static final Duration START_DEADLINE = Duration.ofSeconds(10);

    private final Process process;

    private TestProcess(Process process) {
        this.process = process;
    }

    /**
     * Starts {@code command} and waits until the process has exec'd {@code finalProgram}: wrappers such
     * as {@code ip netns exec} switch namespace before exec'ing, so once the final program runs, the
     * process is where it will stay.
     */
    public static TestProcess start(String finalProgram, String... command) {
        Process p;
        try {
            p = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + String.join(" ", command), e);
        }
        TestProcess started = new TestProcess(p);
        try {
            Eventually.await(
                    START_DEADLINE,
                    () -> finalProgram.equals(started.comm()),
                    () -> String.join(" ", command) + " did not reach " + finalProgram + " (comm " + started.comm()
                            + ", alive " + p.isAlive() + ")");
        } catch (AssertionError | RuntimeException e) {
            started.close();
            throw e;
        }
        return started;
    }

    public long pid() {
        return process.pid();
    }

    private String comm() {
        try {
            return Files.readString(Path.of("/proc", Long.toString(process.pid()), "comm"))
                    .strip();
        } catch (IOException e) {
            return "<gone>";
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reaping pid " + process.pid(), e);
        }
    }
}
