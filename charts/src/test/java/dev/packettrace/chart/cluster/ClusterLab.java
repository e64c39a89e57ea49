// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.chart.cluster;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The real cluster the tests tagged {@code cluster-lab} run against: hack/cluster-lab started it and
 * hack/cluster-lab-tests passes its kubeconfig and kubectl as system properties. Without them the tests
 * fail, never skip: a cluster test that did not run must not look like one that passed.
 */
final class ClusterLab {

    static final String TAG = "cluster-lab";
    /** The lab's one node (hack/cluster-lab: NODE). */
    static final String NODE = "ptlab-node";
    /** The images hack/cluster-lab.d/build-images imports, tagged for the lab. */
    static final String IMAGE_TAG = "lab";

    static final String BUSYBOX = "packettrace.local/busybox:lab";

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(120);

    private ClusterLab() {}

    static Path kubeconfig() {
        return Path.of(required("packettrace.cluster.kubeconfig"));
    }

    static Path kubectlBinary() {
        return Path.of(required("packettrace.cluster.kubectl"));
    }

    private static String required(String property) {
        String value = System.getProperty(property, "");
        if (value.isBlank()) {
            throw new AssertionError("system property " + property + " is not set: the cluster tests run against the"
                    + " cluster lab, through hack/cluster-lab-tests");
        }
        return value;
    }

    /** A client with the lab's admin credentials (group system:masters). */
    static KubernetesClient admin() {
        return new KubernetesClientBuilder().withConfig(config()).build();
    }

    /** A client that the API server treats as {@code user}, with no groups but system:authenticated. */
    static KubernetesClient as(String user) {
        Config config = config();
        config.setImpersonateUsername(user);
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    private static Config config() {
        try {
            return Config.fromKubeconfig(Files.readString(kubeconfig()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the lab's kubeconfig " + kubeconfig(), e);
        }
    }

    /** What a command printed and how it ended. */
    record Result(List<String> command, int exitCode, String stdout, String stderr) {
        Result requireSuccess() {
            if (exitCode != 0) {
                throw new AssertionError(String.join(" ", command) + " exited " + exitCode + ": " + stderr + stdout);
            }
            return this;
        }
    }

    /** kubectl with the lab's admin kubeconfig, the way a user types it. */
    static Result kubectl(String... args) {
        return kubectlWithInput("", args);
    }

    static Result kubectlWithInput(String stdin, String... args) {
        List<String> command = new ArrayList<>(
                List.of(kubectlBinary().toString(), "--kubeconfig", kubeconfig().toString()));
        command.addAll(List.of(args));
        return run(command, stdin);
    }

    /**
     * A shell script the way a user types it at a terminal set up for the lab: bash (errexit, pipefail) with
     * the lab's kubectl first on PATH and its kubeconfig in KUBECONFIG.
     */
    static Result shell(String script) {
        Map<String, String> env = Map.of(
                "PATH",
                kubectlBinary().getParent() + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"),
                "KUBECONFIG",
                kubeconfig().toString());
        return run(List.of("bash", "-euo", "pipefail", "-c", script), "", env);
    }

    /** Runs a command on this machine (root: the lab's node is a network namespace here). */
    static Result run(List<String> command, String stdin) {
        return run(command, stdin, Map.of());
    }

    private static Result run(List<String> command, String stdin, Map<String, String> env) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().putAll(env);
            Process p = builder.start();
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
            try (var in = p.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            if (!p.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not end within " + COMMAND_TIMEOUT);
            }
            return new Result(List.copyOf(command), p.exitValue(), out.join(), err.join());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + command, e);
        }
    }

    private static String read(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
