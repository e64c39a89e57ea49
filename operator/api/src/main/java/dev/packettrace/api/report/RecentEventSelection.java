// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.api.report;

import dev.packettrace.api.v1alpha1.TraceEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * Which events status.recentEvents keeps when there are more than it holds: drops before other events. The
 * list is short (25 at most) and a drop is what a reader looks for; left to recency alone, a busy allowed
 * flow pushes a rare drop out of the window within a second, and the tuple that names who was refused is
 * gone. So a drop leaves the window only for a newer drop; other events fill what room the drops leave.
 */
public final class RecentEventSelection {

    private RecentEventSelection() {}

    /**
     * @param newestFirst candidates, newest first
     * @return at most {@code limit} of them, newest first: the newest drops, then the newest other events
     */
    public static List<TraceEvent> keep(List<TraceEvent> newestFirst, int limit) {
        long drops = newestFirst.stream().filter(RecentEventSelection::isDrop).count();
        long othersRoom = Math.max(0, limit - drops);
        List<TraceEvent> kept = new ArrayList<>(Math.min(limit, newestFirst.size()));
        int keptDrops = 0, keptOthers = 0;
        for (TraceEvent e : newestFirst) {
            if (isDrop(e) ? keptDrops++ < limit : keptOthers++ < othersRoom) {
                kept.add(e);
            }
        }
        return List.copyOf(kept);
    }

    static boolean isDrop(TraceEvent e) {
        return e.reason() != null;
    }
}
