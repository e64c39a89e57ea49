// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/**
 * The answer at a glance, over all nodes.
 *
 * @param dropsOmitted drops counted in {@code drops} but in groups left out of {@code dropsByReason}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Summary(
        Long events,
        Long lost,
        Long drops,

        @JsonPropertyDescription("Drops grouped by reason and kernel location, most frequent first (bounded).")
        List<DropGroup> dropsByReason,

        Long dropsOmitted,

        @JsonPropertyDescription("The finding in one sentence.")
        String verdict) {

    public Summary {
        dropsByReason = dropsByReason == null ? List.of() : List.copyOf(dropsByReason);
    }

    public static Summary empty() {
        return new Summary(0L, 0L, 0L, List.of(), 0L, null);
    }
}
