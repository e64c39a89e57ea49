// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.chart;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The chart under test, rendered by Helm itself (helm-java: Helm's Go code as a shared library) and
 * parsed into Fabric8's model, so tests look at the objects Kubernetes would receive.
 */
final class Chart {

    static final Path ROOT = Path.of(System.getProperty("packettrace.root", ".."))
            .toAbsolutePath()
            .normalize();
    static final Path DIR = ROOT.resolve("charts/packettrace");
    static final String NAMESPACE = "packettrace-system";
    static final String RELEASE = "packettrace";
    // helm template runs without a cluster and would otherwise assume Kubernetes 1.20, below the chart's kubeVersion.
    static final String KUBE_VERSION = "1.31.0";

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private Chart() {}

    /** helm template with the chart's defaults. */
    static Rendered render() {
        return render(RELEASE, "");
    }

    /** helm template with a values file holding valuesYaml (over the chart's defaults). */
    static Rendered render(String valuesYaml) {
        return render(RELEASE, valuesYaml);
    }

    static Rendered render(String release, String valuesYaml) {
        return render(release, NAMESPACE, valuesYaml);
    }

    static Rendered render(String release, String namespace, String valuesYaml) {
        return new Rendered(parse(template(release, namespace, valuesYaml)));
    }

    /** The raw output of helm template; throws IllegalStateException with Helm's message when it fails. */
    static String template(String release, String namespace, String valuesYaml) {
        Path values = null;
        try {
            values = Files.createTempFile("packettrace-values", ".yaml");
            Files.writeString(values, valuesYaml);
            return new Helm(DIR)
                    .template()
                    .withName(release)
                    .withNamespace(namespace)
                    .withKubeVersion(KUBE_VERSION)
                    .withValuesFile(values)
                    .call();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a values file for helm template", e);
        } finally {
            if (values != null) {
                try {
                    Files.deleteIfExists(values);
                } catch (IOException ignored) {
                    // a leftover temporary file is harmless
                }
            }
        }
    }

    /** helm install --dry-run with no cluster: what helm install prints, NOTES included. */
    static String installDryRun(String valuesYaml) {
        Path values = null;
        try {
            values = Files.createTempFile("packettrace-values", ".yaml");
            Files.writeString(values, valuesYaml);
            return new Helm(DIR)
                    .install()
                    .withName(RELEASE)
                    .withNamespace(NAMESPACE)
                    .withKubeVersion(KUBE_VERSION)
                    .clientOnly()
                    .dryRun()
                    .withValuesFile(values)
                    .call()
                    .getOutput();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a values file for helm install", e);
        } finally {
            if (values != null) {
                try {
                    Files.deleteIfExists(values);
                } catch (IOException ignored) {
                    // a leftover temporary file is harmless
                }
            }
        }
    }

    static List<HasMetadata> parse(String manifests) {
        List<HasMetadata> objects = new ArrayList<>();
        for (String doc : manifests.split("(?m)^---\\s*$")) {
            if (doc.lines().allMatch(l -> l.isBlank() || l.stripLeading().startsWith("#"))) {
                continue;
            }
            Object o = SERIALIZATION.unmarshal(doc);
            if (!(o instanceof HasMetadata h)) {
                throw new IllegalStateException("rendered document is not a Kubernetes object: " + doc);
            }
            objects.add(h);
        }
        return objects;
    }

    /** What helm template produced, as objects. */
    record Rendered(List<HasMetadata> objects) {
        <T extends HasMetadata> T one(Class<T> kind, String name) {
            List<T> found = objects.stream()
                    .filter(kind::isInstance)
                    .map(kind::cast)
                    .filter(o -> o.getMetadata().getName().equals(name))
                    .toList();
            if (found.size() != 1) {
                throw new AssertionError("expected one " + kind.getSimpleName() + " " + name + ", found " + found.size()
                        + " among "
                        + objects.stream()
                                .map(o -> o.getKind() + "/" + o.getMetadata().getName())
                                .toList());
            }
            return found.getFirst();
        }

        <T extends HasMetadata> List<T> all(Class<T> kind) {
            return objects.stream().filter(kind::isInstance).map(kind::cast).toList();
        }
    }
}
