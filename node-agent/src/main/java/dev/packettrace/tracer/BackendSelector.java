// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Tries the function-level backends a request allows, in order, and keeps the first that attaches. A
 * backend that fails has already detached whatever it attached, so falling back leaves nothing behind.
 * An explicitly requested backend that fails fails the trace; AUTO then serves with the tracepoints alone.
 */
final class BackendSelector {

    private static final System.Logger LOG = System.getLogger(BackendSelector.class.getName());

    /** Attaches one function-level backend, or throws a {@link TracerException} saying why it cannot. */
    @FunctionalInterface
    interface Attacher {
        FunctionProbes attach(Backend backend);
    }

    /** The chosen backend and, unless it is the tracepoints alone, its attached function probes. */
    record Selection(BackendChoice choice, Optional<FunctionProbes> functions) {}

    private BackendSelector() {}

    static Selection select(Backend requested, Attacher attacher) {
        List<Backend> candidates = BackendChoice.candidates(requested);
        if (candidates.isEmpty()) {
            return new Selection(BackendChoice.requested(Backend.TRACEPOINT), Optional.empty());
        }
        List<String> skipped = new ArrayList<>();
        for (Backend backend : candidates) {
            try {
                FunctionProbes probes = attacher.attach(backend);
                BackendChoice choice = requested == Backend.AUTO
                        ? BackendChoice.auto(backend, skipped)
                        : BackendChoice.requested(backend);
                return new Selection(choice, Optional.of(probes));
            } catch (TracerException e) {
                if (requested != Backend.AUTO) {
                    throw new TracerException(
                            e.reason(), "cannot trace with --backend " + backend.flagName() + ": " + e.getMessage(), e);
                }
                if (e.reason() == TracerException.Reason.CANCELLED || e.reason() == TracerException.Reason.INPUT) {
                    throw e;
                }
                LOG.log(
                        System.Logger.Level.DEBUG,
                        "backend={0} result=unavailable reason=\"{1}\"",
                        backend.flagName(),
                        e.getMessage());
                skipped.add(backend.flagName() + ": " + e.getMessage());
            }
        }
        return new Selection(BackendChoice.auto(Backend.TRACEPOINT, skipped), Optional.empty());
    }
}
