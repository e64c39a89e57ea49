// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.agent;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the agent writes the events of traces that did not ask for a sink of their own
 * (spec.sink type stdout, the default).
 */
public sealed interface DefaultSink {

    /** JSON lines on the agent's standard output, read with {@code kubectl logs}. */
    record Stdout() implements DefaultSink {}

    /** JSON lines appended to one file below the agent's sink root. */
    record File(Path path) implements DefaultSink {
        public File {
            Objects.requireNonNull(path, "path");
        }
    }
}
