// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.lab;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Drains a child's output stream on a virtual thread, keeping at most {@code limit} bytes. The child must
 * never block on a full pipe, so the rest is read and dropped, and the drop is counted and shown.
 */
final class StreamCapture {

    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private final int limit;
    private final Thread reader;
    private long dropped;
    private IOException failure;

    StreamCapture(InputStream in, int limit, String name) {
        this.limit = limit;
        this.reader = Thread.ofVirtual().name(name).start(() -> drain(in));
    }

    private void drain(InputStream in) {
        byte[] buf = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                synchronized (this) {
                    int keep = Math.min(n, limit - kept.size());
                    if (keep > 0) {
                        kept.write(buf, 0, keep);
                    }
                    dropped += n - Math.max(keep, 0);
                }
            }
        } catch (IOException e) {
            synchronized (this) {
                failure = e;
            }
        }
    }

    /** Waits until the stream is closed (the child exited or was killed) and returns what was kept. */
    String await() {
        try {
            reader.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted while reading a command's output", e);
        }
        return snapshot();
    }

    /** What has been read so far, without waiting; for the stderr of a process that is still running. */
    synchronized String snapshot() {
        if (failure != null) {
            throw new UncheckedIOException("reading a command's output failed", failure);
        }
        String text = kept.toString(StandardCharsets.UTF_8);
        return dropped == 0 ? text : text + "\n[" + dropped + " more bytes dropped]";
    }
}
