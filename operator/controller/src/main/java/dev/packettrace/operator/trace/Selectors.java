// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.operator.trace;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.List;
import java.util.Map;

/** Label selector matching with the API server's semantics, for pods already in the informer cache. */
final class Selectors {

    private Selectors() {}

    /** An empty selector matches nothing here: the validator rejects it, and no target set should be "everything". */
    static boolean matches(LabelSelector selector, Map<String, String> labels) {
        Map<String, String> l = labels == null ? Map.of() : labels;
        Map<String, String> want = selector.getMatchLabels() == null ? Map.of() : selector.getMatchLabels();
        List<LabelSelectorRequirement> exprs =
                selector.getMatchExpressions() == null ? List.of() : selector.getMatchExpressions();
        if (want.isEmpty() && exprs.isEmpty()) {
            return false;
        }
        for (Map.Entry<String, String> e : want.entrySet()) {
            if (!e.getValue().equals(l.get(e.getKey()))) {
                return false;
            }
        }
        for (LabelSelectorRequirement r : exprs) {
            List<String> values = r.getValues() == null ? List.of() : r.getValues();
            boolean has = l.containsKey(r.getKey());
            boolean ok = switch (r.getOperator()) {
                case "In" -> has && values.contains(l.get(r.getKey()));
                case "NotIn" -> !has || !values.contains(l.get(r.getKey()));
                case "Exists" -> has;
                case "DoesNotExist" -> !has;
                default -> false;
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
