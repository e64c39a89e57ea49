// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.lab;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Finds and deletes lab namespaces left behind by processes that died before closing their lab. */
final class LabReaper {

    private static final System.Logger LOG = System.getLogger(LabReaper.class.getName());

    private LabReaper() {}

    static List<String> reap() {
        List<String> removed = new ArrayList<>();
        List<RuntimeException> failures = new ArrayList<>();
        for (String name : Netns.list()) {
            Optional<LabName> lab = LabName.parse(name);
            if (lab.isEmpty() || isAlive(lab.get().ownerPid())) {
                continue;
            }
            try {
                Netns.delete(name);
                removed.add(name);
                LOG.log(
                        System.Logger.Level.INFO,
                        "reaped stale lab namespace {0} (owner pid {1} is gone)",
                        name,
                        Long.toString(lab.get().ownerPid()));
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        if (!failures.isEmpty()) {
            RuntimeException first = failures.getFirst();
            failures.subList(1, failures.size()).forEach(first::addSuppressed);
            throw first;
        }
        return List.copyOf(removed);
    }

    /**
     * A recycled pid makes a dead owner look alive; that errs on the safe side (the namespace is kept until
     * a later reap), whereas the opposite mistake would delete a lab in use.
     */
    private static boolean isAlive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
}
