// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import java.util.ArrayList;
import java.util.List;

/**
 * Closes many kernel objects on a few threads and returns only when every one was closed (or failed to),
 * whatever happens to the calling thread meanwhile: a close that is skipped is a probe left attached.
 */
final class ParallelClose {

    private ParallelClose() {}

    /**
     * @param failures receives what each failed close threw; the others are closed regardless
     */
    static void closeAll(List<? extends AutoCloseable> resources, int threads, List<Exception> failures) {
        int n = Math.max(1, Math.min(threads, resources.size()));
        if (n == 1) {
            closeEach(resources, failures);
            return;
        }
        List<Thread> workers = new ArrayList<>();
        int chunk = (resources.size() + n - 1) / n;
        for (int from = 0; from < resources.size(); from += chunk) {
            List<? extends AutoCloseable> part = resources.subList(from, Math.min(resources.size(), from + chunk));
            workers.add(Thread.ofPlatform()
                    .daemon()
                    .name("packettrace-detach-" + workers.size())
                    .start(() -> closeEach(part, failures)));
        }
        boolean interrupted = false;
        for (Thread worker : workers) {
            while (true) {
                try {
                    worker.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // keep waiting: the detach must finish
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeEach(List<? extends AutoCloseable> resources, List<Exception> failures) {
        for (AutoCloseable r : resources) {
            try {
                r.close();
            } catch (Exception e) {
                failures.add(e);
            }
        }
    }
}
