// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The functions a trace probes: the kernel's sk_buff functions narrowed by --filter-func, minus those the
 * kernel cannot probe. A function's position in {@link #functions()} is its index, which its probe's cookie
 * carries so that events name the function exactly.
 *
 * @param functions      what to probe, sorted by name
 * @param filteredOut    how many --filter-func excluded
 * @param notTraceable   how many are missing from available_filter_functions (inlined or notrace)
 * @param blacklisted    how many are on the kprobe blacklist
 * @param notes          what could not be checked (unreadable lists)
 */
public record FunctionCatalog(
        List<SkbFunction> functions, int filteredOut, int notTraceable, int blacklisted, List<String> notes) {

    public FunctionCatalog {
        functions = List.copyOf(functions);
        notes = List.copyOf(notes);
    }

    /**
     * @throws TracerException when nothing is left, saying which step removed everything
     */
    public static FunctionCatalog select(
            List<SkbFunction> candidates, TraceableFunctions traceable, FunctionFilter filter) {
        List<SkbFunction> kept = new ArrayList<>();
        int filteredOut = 0;
        int notTraceable = 0;
        int blacklisted = 0;
        for (SkbFunction f : candidates) {
            if (!filter.matches(f.name())) {
                filteredOut++;
            } else if (traceable.available().isPresent()
                    && !traceable.available().get().contains(f.name())) {
                notTraceable++;
            } else if (traceable.blacklisted().contains(f.name())) {
                blacklisted++;
            } else {
                kept.add(f);
            }
        }
        if (kept.isEmpty()) {
            String why = filteredOut == candidates.size() && filter.expression().isPresent()
                    ? "--filter-func '" + filter.expression().get() + "' matches none of the " + candidates.size()
                            + " kernel functions that take an sk_buff (it must match the whole name)"
                    : "none of the " + candidates.size() + " kernel functions that take an sk_buff can be traced ("
                            + filteredOut + " filtered out, " + notTraceable + " not in available_filter_functions, "
                            + blacklisted + " blacklisted for kprobes)";
            throw new TracerException(TracerException.Reason.INPUT, why);
        }
        return new FunctionCatalog(kept, filteredOut, notTraceable, blacklisted, traceable.notes());
    }

    /** The function with this index, if there is one. */
    public Optional<SkbFunction> byIndex(int index) {
        return index >= 0 && index < functions.size() ? Optional.of(functions.get(index)) : Optional.empty();
    }

    public List<String> names() {
        return functions.stream().map(SkbFunction::name).toList();
    }

    /** "1529 functions (312 filtered out, 85 not traceable, 3 blacklisted)". */
    public String describe() {
        return functions.size() + " functions (" + filteredOut + " filtered out, " + notTraceable + " not traceable, "
                + blacklisted + " blacklisted)";
    }
}
