// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.api.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packettrace.api.v1alpha1.PacketTrace;
import dev.packettrace.api.v1alpha1.PacketTraceStatus;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;

/** The records read and write the JSON a user writes, through Fabric8's own serialization. */
class WireFormatTest {

    final KubernetesSerialization json = new KubernetesSerialization();

    @Test
    void readsAUserManifestAndIgnoresUnknownFields() {
        PacketTrace t = json.unmarshal("""
                apiVersion: packettrace.dev/v1alpha1
                kind: PacketTrace
                metadata: {name: web, namespace: team-a}
                spec:
                  targets:
                    podSelector: {matchLabels: {app: web}}
                  filter: {dstPort: 80, proto: tcp, futureField: 1}
                  duration: 2m
                """, PacketTrace.class);
        assertEquals(80, t.getSpec().filter().dstPort());
        assertEquals("web", t.getSpec().targets().podSelector().getMatchLabels().get("app"));
        assertTrue(t.getSpec().targets().podNames().isEmpty());
        assertFalse(t.getSpec().filter().trackSkb());
        assertNull(t.getSpec().output());
        assertNull(t.getStatus());
        assertEquals(PacketTraceStatus.Phase.Pending, t.statusOrEmpty().phaseOrPending());
        String out = json.asJson(t);
        assertFalse(out.contains("null"), out);
        assertFalse(out.contains("podNames"), "empty lists are left out: " + out);
    }
}
