// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.operator.rbac;

import static org.junit.jupiter.api.Assertions.*;

import dev.packettrace.api.rbac.RequiresRbac;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RbacManifestsTest {

    static final String FIX =
            "regenerate with ./mvnw -pl operator/controller -am process-test-classes and commit operator/rbac/";

    @Test
    void committedRbacMatchesTheCode() throws IOException {
        Path dir = Path.of(System.getProperty("packettrace.rbac.directory", "../rbac"));
        for (Map.Entry<String, String> e : RbacManifests.render().entrySet()) {
            Path f = dir.resolve(e.getKey());
            assertTrue(Files.exists(f), f + " is missing; " + FIX);
            assertEquals(e.getValue(), Files.readString(f), f + " is stale; " + FIX);
        }
    }

    @Test
    void rulesAreLeastPrivilege() {
        List<RequiresRbac> all = RbacManifests.annotations();
        var operatorCluster = RbacManifests.merge(all, RequiresRbac.Subject.OPERATOR, RequiresRbac.Scope.CLUSTER);
        var operatorOwn = RbacManifests.merge(all, RequiresRbac.Subject.OPERATOR, RequiresRbac.Scope.OWN_NAMESPACE);
        var agent = RbacManifests.merge(all, RequiresRbac.Subject.AGENT, RequiresRbac.Scope.CLUSTER);

        // the operator writes only status, finalizers and Events cluster-wide; DaemonSets and leases only at home
        assertEquals(
                Set.of("packettraces/status|update", "packettraces|patch", "events|create"), writes(operatorCluster));
        assertTrue(operatorOwn.stream()
                .anyMatch(r -> r.resource().equals("daemonsets") && r.verbs().contains("delete")));
        assertTrue(operatorOwn.stream().anyMatch(r -> r.resource().equals("leases")));
        // agents never write a PacketTrace: their results go to their own report objects
        assertEquals(Set.of("packettracereports|create", "packettracereports|update"), writes(agent));
        assertTrue(
                all.stream()
                        .noneMatch(a -> Set.of(a.verbs()).contains("*")
                                || a.resource().contains("*")
                                || a.resource().equals("secrets")),
                "no wildcards, no secrets");
    }

    private static Set<String> writes(List<RbacManifests.Rule> rules) {
        Set<String> read = Set.of("get", "list", "watch");
        return rules.stream()
                .flatMap(r -> r.verbs().stream().filter(v -> !read.contains(v)).map(v -> r.resource() + "|" + v))
                .collect(java.util.stream.Collectors.toSet());
    }
}
