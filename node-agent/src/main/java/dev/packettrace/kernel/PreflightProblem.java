// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.kernel;

/** One thing that is missing before packettrace can trace, and how to fix it. */
public record PreflightProblem(String check, String message) {}
