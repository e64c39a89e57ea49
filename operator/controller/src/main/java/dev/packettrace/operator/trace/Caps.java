// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.operator.trace;

import dev.packettrace.api.validation.DurationText;
import dev.packettrace.api.validation.TraceRequest;
import dev.packettrace.operator.OperatorConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Applies the administrator's cluster-wide caps on duration and events to a valid request. Under the
 * clamp policy the trace runs within the caps and says what was lowered; under reject it fails and says
 * which cap it exceeded. Per-node concurrency is {@link NodeCapacity}'s job.
 */
public final class Caps {

    private Caps() {}

    public sealed interface Admission {
        /** @param adjusted what was clamped, for status.limits.adjusted and an Event; empty when nothing was */
        record Admitted(Duration duration, long maxEvents, Optional<String> adjusted) implements Admission {}

        record Rejected(String message) implements Admission {}
    }

    public static Admission apply(TraceRequest request, OperatorConfig config) {
        List<String> over = new ArrayList<>();
        List<String> clamped = new ArrayList<>();
        Duration duration = request.duration();
        long maxEvents = request.output().maxEvents();
        if (duration.compareTo(config.maxDuration()) > 0) {
            String cap = DurationText.format(config.maxDuration());
            over.add("spec.duration " + DurationText.format(duration) + " exceeds the operator's maxDuration " + cap);
            clamped.add("spec.duration clamped from " + DurationText.format(duration)
                    + " to the operator's maxDuration " + cap);
        }
        if (maxEvents > config.maxEventsPerTrace()) {
            over.add("spec.output.maxEvents " + maxEvents + " exceeds the operator's maxEventsPerTrace "
                    + config.maxEventsPerTrace());
            clamped.add("spec.output.maxEvents clamped from " + maxEvents + " to the operator's maxEventsPerTrace "
                    + config.maxEventsPerTrace());
        }
        if (over.isEmpty()) {
            return new Admission.Admitted(duration, maxEvents, Optional.empty());
        }
        if (config.capPolicy() == OperatorConfig.CapPolicy.REJECT) {
            return new Admission.Rejected(String.join("; ", over) + " (cap policy: reject)");
        }
        return new Admission.Admitted(
                min(duration, config.maxDuration()),
                Math.min(maxEvents, config.maxEventsPerTrace()),
                Optional.of(String.join("; ", clamped) + " (cap policy: clamp)"));
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
