// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.operator.rbac;

import dev.packettrace.api.rbac.RequiresRbac;
import dev.packettrace.api.report.NodeReportPublisher;
import dev.packettrace.operator.OperatorMain;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Renders operator/rbac/*.yaml from the {@link RequiresRbac} annotations on the code, so the RBAC rules
 * are exactly the ones some class says it needs, each with its reason as a comment. The build runs this
 * (process-test-classes) to rewrite the files; RbacManifestsTest fails when the committed files differ.
 */
public final class RbacManifests {

    static final String NAMESPACE = "packettrace-system";

    private RbacManifests() {}

    /** One merged rule: verbs of every annotation on the same group and resource, with every reason. */
    record Rule(String apiGroup, String resource, Set<String> verbs, Set<String> why) {}

    public static Map<String, String> render() {
        List<RequiresRbac> all = annotations();
        Map<String, String> files = new TreeMap<>();
        files.put(
                "operator.yaml",
                file("packettrace-operator", "the operator (operator/controller)", all, RequiresRbac.Subject.OPERATOR));
        files.put(
                "node-agent.yaml",
                file(
                        "packettrace-node-agent",
                        "the node agents (node-agent, cluster mode)",
                        all,
                        RequiresRbac.Subject.AGENT));
        return files;
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        Files.createDirectories(dir);
        for (Map.Entry<String, String> e : render().entrySet()) {
            Path f = dir.resolve(e.getKey());
            if (!Files.exists(f) || !Files.readString(f).equals(e.getValue())) {
                Files.writeString(f, e.getValue(), StandardCharsets.UTF_8);
                System.out.println("packettrace: wrote " + f);
            }
        }
    }

    private static String file(String name, String who, List<RequiresRbac> all, RequiresRbac.Subject subject) {
        StringBuilder b = new StringBuilder();
        b.append("# RBAC for ").append(who).append(".\n");
        b.append("# Generated from the @RequiresRbac annotations next to the code that needs each rule;\n");
        b.append("# regenerate with ./mvnw -pl operator/controller -am process-test-classes. Do not edit by hand.\n");
        b.append("---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: ")
                .append(name)
                .append("\n  namespace: ")
                .append(NAMESPACE)
                .append('\n');
        List<Rule> cluster = merge(all, subject, RequiresRbac.Scope.CLUSTER);
        List<Rule> own = merge(all, subject, RequiresRbac.Scope.OWN_NAMESPACE);
        if (!cluster.isEmpty()) {
            b.append("---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: ")
                    .append(name)
                    .append('\n');
            rules(b, cluster);
            binding(b, "ClusterRoleBinding", "ClusterRole", name, false);
        }
        if (!own.isEmpty()) {
            b.append("---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: ")
                    .append(name)
                    .append("\n  namespace: ")
                    .append(NAMESPACE)
                    .append('\n');
            rules(b, own);
            binding(b, "RoleBinding", "Role", name, true);
        }
        return b.toString();
    }

    private static void rules(StringBuilder b, List<Rule> rules) {
        b.append("rules:\n");
        for (Rule r : rules) {
            for (String why : r.why()) {
                b.append("  # ").append(why).append('\n');
            }
            b.append("  - apiGroups: [\"").append(r.apiGroup()).append("\"]\n");
            b.append("    resources: [\"").append(r.resource()).append("\"]\n");
            b.append("    verbs: [")
                    .append(String.join(
                            ", ", r.verbs().stream().map(v -> "\"" + v + "\"").toList()))
                    .append("]\n");
        }
    }

    private static void binding(StringBuilder b, String kind, String roleKind, String name, boolean namespaced) {
        b.append("---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ")
                .append(kind)
                .append("\nmetadata:\n  name: ")
                .append(name)
                .append('\n');
        if (namespaced) {
            b.append("  namespace: ").append(NAMESPACE).append('\n');
        }
        b.append("roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ")
                .append(roleKind)
                .append("\n  name: ")
                .append(name)
                .append('\n');
        b.append("subjects:\n  - kind: ServiceAccount\n    name: ")
                .append(name)
                .append("\n    namespace: ")
                .append(NAMESPACE)
                .append('\n');
    }

    static List<Rule> merge(List<RequiresRbac> all, RequiresRbac.Subject subject, RequiresRbac.Scope scope) {
        Map<String, Rule> byKey = new TreeMap<>();
        for (RequiresRbac a : all) {
            if (a.subject() != subject || a.scope() != scope) {
                continue;
            }
            Rule r = byKey.computeIfAbsent(
                    a.apiGroup() + "|" + a.resource(),
                    k -> new Rule(a.apiGroup(), a.resource(), new TreeSet<>(), new TreeSet<>()));
            r.verbs().addAll(Arrays.asList(a.verbs()));
            r.why().add(a.why());
        }
        return List.copyOf(byKey.values());
    }

    /** Every @RequiresRbac on every class of the api and controller modules. */
    static List<RequiresRbac> annotations() {
        List<RequiresRbac> result = new ArrayList<>();
        for (Class<?> anchor : List.of(NodeReportPublisher.class, OperatorMain.class)) {
            for (String className : classesNextTo(anchor)) {
                try {
                    Class<?> c = Class.forName(className, false, anchor.getClassLoader());
                    result.addAll(Arrays.asList(c.getAnnotationsByType(RequiresRbac.class)));
                } catch (ClassNotFoundException e) {
                    throw new IllegalStateException("cannot load " + className, e);
                }
            }
        }
        return result;
    }

    private static List<String> classesNextTo(Class<?> anchor) {
        try {
            Path root = Path.of(
                    anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isDirectory(root)) {
                return classNames(root);
            }
            try (FileSystem jar = FileSystems.newFileSystem(root)) {
                return classNames(jar.getPath("/"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the classes next to " + anchor.getName(), e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("odd code source of " + anchor.getName(), e);
        }
    }

    private static List<String> classNames(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.map(root::relativize)
                    .map(Path::toString)
                    .filter(p -> p.endsWith(".class") && p.startsWith("dev/packettrace/"))
                    .map(p -> p.substring(0, p.length() - ".class".length()).replace('/', '.'))
                    .sorted()
                    .toList();
        }
    }
}
