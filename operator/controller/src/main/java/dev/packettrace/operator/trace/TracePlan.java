// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.operator.trace;

import dev.packettrace.api.v1alpha1.PacketTraceStatus;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What one reconcile decided: the status to write, when to look again even if nothing changes (the
 * duration or a timeout running out), and the Events to record.
 */
public record TracePlan(PacketTraceStatus status, Optional<Duration> requeueAfter, List<Notice> notices) {
    public TracePlan {
        notices = List.copyOf(notices);
    }
}
