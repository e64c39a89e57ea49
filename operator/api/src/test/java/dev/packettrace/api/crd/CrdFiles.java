// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.api.crd;

import dev.packettrace.api.v1alpha1.PacketTrace;
import dev.packettrace.api.v1alpha1.PacketTraceReport;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Produces the CRD YAML of the packettrace.dev API from the model classes with Fabric8's CRD generator.
 * The generator orders printer columns by JSON path; kubectl shows them in that order, so they are put
 * back in the order the classes declare them (Phase, Targets, ... Age).
 *
 * <p>Run by the build (process-test-classes) with the target directory as argument; used by
 * {@code CrdsUpToDateTest} to compare against the committed files.
 */
public final class CrdFiles {

    static final List<Class<?>> RESOURCES = List.of(PacketTrace.class, PacketTraceReport.class);
    static final String HEADER =
            "# Generated from operator/api (dev.packettrace.api.v1alpha1) by Fabric8's CRD generator\n"
                    + "# during the build: ./mvnw -pl operator/api -am process-test-classes. Do not edit by hand.\n";

    private CrdFiles() {}

    /** File name to YAML content, for every CRD of the API. */
    // the generator takes a varargs of Class<? extends HasMetadata>, an array Java cannot create unchecked-free
    @SuppressWarnings("unchecked")
    public static Map<String, String> generate() {
        Path work;
        try {
            work = Files.createTempDirectory("packettrace-crds");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory for CRD generation", e);
        }
        try {
            new CRDGenerator()
                    .customResourceClasses(
                            RESOURCES.stream().map(CrdFiles::asCustomResource).toArray(Class[]::new))
                    .forCRDVersions("v1")
                    .inOutputDir(work.toFile())
                    .generate();
            KubernetesSerialization yaml = new KubernetesSerialization();
            Map<String, String> files = new TreeMap<>();
            try (Stream<Path> generated = Files.list(work)) {
                for (Path file : generated.sorted().toList()) {
                    CustomResourceDefinition crd =
                            yaml.unmarshal(Files.readString(file), CustomResourceDefinition.class);
                    orderPrinterColumns(crd);
                    files.put(file.getFileName().toString(), HEADER + yaml.asYaml(crd));
                }
            }
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the generated CRDs in " + work, e);
        } finally {
            deleteTree(work);
        }
    }

    /** Writes the CRDs into dir, touching only files whose content changed. */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: CrdFiles <output directory>");
        }
        Path dir = Path.of(args[0]).toAbsolutePath().normalize();
        Files.createDirectories(dir);
        for (Map.Entry<String, String> e : generate().entrySet()) {
            Path target = dir.resolve(e.getKey());
            if (!Files.exists(target) || !Files.readString(target).equals(e.getValue())) {
                Files.writeString(target, e.getValue(), StandardCharsets.UTF_8);
                System.out.println("packettrace: wrote " + target);
            }
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Class<? extends io.fabric8.kubernetes.api.model.HasMetadata> asCustomResource(Class<?> c) {
        return (Class) c;
    }

    private static void orderPrinterColumns(CustomResourceDefinition crd) {
        Class<?> model = RESOURCES.stream()
                .filter(c -> c.getSimpleName().equals(crd.getSpec().getNames().getKind()))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException(
                        "no model class for kind " + crd.getSpec().getNames().getKind()));
        List<String> order = Arrays.stream(model.getAnnotationsByType(AdditionalPrinterColumn.class))
                .map(AdditionalPrinterColumn::name)
                .toList();
        for (CustomResourceDefinitionVersion v : crd.getSpec().getVersions()) {
            if (v.getAdditionalPrinterColumns() != null) {
                v.setAdditionalPrinterColumns(v.getAdditionalPrinterColumns().stream()
                        .sorted(Comparator.comparingInt(
                                (CustomResourceColumnDefinition c) -> indexOf(order, c.getName())))
                        .toList());
            }
        }
    }

    private static int indexOf(List<String> order, String name) {
        int i = order.indexOf(name);
        return i < 0 ? Integer.MAX_VALUE : i;
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }
}
