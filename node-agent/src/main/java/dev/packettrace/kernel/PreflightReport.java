// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.kernel;

import java.util.List;

/**
 * The outcome of {@link Preflight}: {@code problems} prevent tracing altogether; {@code warnings} name
 * features that will be unavailable (such as symbol names or attaching to another namespace).
 */
public record PreflightReport(List<PreflightProblem> problems, List<PreflightProblem> warnings) {

    public PreflightReport {
        problems = List.copyOf(problems);
        warnings = List.copyOf(warnings);
    }

    public boolean ok() {
        return problems.isEmpty();
    }
}
