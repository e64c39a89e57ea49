// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.output;

/** How events are written: an aligned table for people, or one JSON object per line for programs. */
public enum OutputFormat {
    TABLE,
    JSON
}
