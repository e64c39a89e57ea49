// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.cli;

import dev.packettrace.output.StopReason;
import dev.packettrace.output.TraceSummary;

/** How a trace run ended and what it saw (the same summary that was printed). */
public record RunResult(StopReason stoppedBy, TraceSummary.Report summary) {}
