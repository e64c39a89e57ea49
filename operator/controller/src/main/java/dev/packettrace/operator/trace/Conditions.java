// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.operator.trace;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds a trace's standard conditions. A condition keeps its lastTransitionTime while its status stays
 * the same, as the Kubernetes API conventions ask, so the time says when it last flipped.
 */
final class Conditions {

    static final String ACCEPTED = "Accepted";
    static final String SCHEDULED = "Scheduled";
    static final String RUNNING = "Running";
    static final String COMPLETED = "Completed";
    static final String FAILED = "Failed";

    private final List<Condition> previous;
    private final long generation;
    private final Instant now;
    private final List<Condition> result = new ArrayList<>();

    Conditions(List<Condition> previous, long generation, Instant now) {
        this.previous = previous;
        this.generation = generation;
        this.now = now;
    }

    Conditions set(String type, boolean status, String reason, String message) {
        String s = status ? "True" : "False";
        String since = previous.stream()
                .filter(c -> type.equals(c.getType()) && s.equals(c.getStatus()))
                .map(Condition::getLastTransitionTime)
                .findFirst()
                .orElse(now.toString());
        result.removeIf(c -> type.equals(c.getType()));
        result.add(new ConditionBuilder()
                .withType(type)
                .withStatus(s)
                .withReason(reason)
                .withMessage(message)
                .withObservedGeneration(generation)
                .withLastTransitionTime(since)
                .build());
        return this;
    }

    List<Condition> build() {
        return List.copyOf(result);
    }

    static String reason(List<Condition> conditions, String type) {
        return conditions.stream()
                .filter(c -> type.equals(c.getType()))
                .map(Condition::getReason)
                .findFirst()
                .orElse("");
    }
}
