// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.agent;

import dev.packettrace.api.v1alpha1.PacketTrace;
import dev.packettrace.api.v1alpha1.SinkSpec;
import dev.packettrace.api.validation.TraceRequest;
import dev.packettrace.output.ClockOffset;
import dev.packettrace.output.TimestampFormatter;
import dev.packettrace.output.TimestampMode;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Opens the sinks traces write to: the agent's default sink (stdout or one file), shared by every trace that
 * did not ask for its own, and for spec.sink type hostPath one file per trace,
 * {@code <path>/<namespace>_<name>.jsonl}. A trace's path names a directory below
 * {@value SinkSpec#HOST_PATH_ROOT} on the node; the agent maps it onto its {@link AgentConfig#sinkRoot()}
 * (where that host directory is mounted) and refuses anything that would end up outside it, including
 * through symbolic links. Lines carry wall-clock times ("time", RFC 3339 with nanoseconds).
 */
final class EventSinks implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(EventSinks.class.getName());

    private final AgentConfig config;
    private final Supplier<TimestampFormatter> timestamps;
    private final OutputStream stdout;
    private EventSink shared;
    private final Map<EventSink, Boolean> open = new IdentityHashMap<>();

    /**
     * @param clock  the monotonic-to-wall-clock offset, measured once when the first sink opens
     * @param stdout the agent's standard output (the default sink when none is configured)
     */
    EventSinks(AgentConfig config, Supplier<ClockOffset> clock, OutputStream stdout) {
        this.config = Objects.requireNonNull(config, "config");
        Supplier<ClockOffset> once = memoize(clock);
        this.timestamps = () -> new TimestampFormatter(TimestampMode.CURRENT, once);
        this.stdout = Objects.requireNonNull(stdout, "stdout");
    }

    /** The process's standard output, unbuffered by Java's PrintStream so that write errors are not swallowed. */
    static OutputStream processStdout() {
        return new FileOutputStream(FileDescriptor.out);
    }

    /**
     * The sink for one trace; the caller closes it when the trace detaches (closing the shared sink's handle
     * only flushes it).
     *
     * @throws IllegalArgumentException naming spec.sink.path when the trace's path is not allowed or cannot be opened
     */
    EventSink open(PacketTrace trace, TraceRequest.Sink sink) {
        return switch (sink) {
            case TraceRequest.Sink.Stdout s -> shared();
            case TraceRequest.Sink.HostPath h -> {
                Path file = traceFile(
                        h.directory(),
                        trace.getMetadata().getNamespace(),
                        trace.getMetadata().getName());
                EventSink opened = openFile(file, "spec.sink.path");
                open.put(opened, true);
                yield opened;
            }
        };
    }

    /** Closes a trace's sink: a file is closed, the shared sink is only flushed. */
    void release(EventSink sink) {
        if (sink == shared) {
            flush(sink);
            return;
        }
        open.remove(sink);
        sink.close();
    }

    /** Flushes every open sink; a failure is logged and left to the next write to report per trace. */
    void flushAll() {
        List<EventSink> all = new ArrayList<>(open.keySet());
        if (shared != null) {
            all.add(shared);
        }
        all.forEach(EventSinks::flush);
    }

    /** Where a hostPath sink's file lives inside the agent, for spec.sink.path {@code directory}. */
    Path traceFile(String directory, String namespace, String name) {
        Path hostRoot = Path.of(SinkSpec.HOST_PATH_ROOT);
        Path dir = Path.of(directory).normalize();
        if (!Path.of(directory).isAbsolute() || !dir.startsWith(hostRoot) || !dir.equals(Path.of(directory))) {
            throw new IllegalArgumentException("spec.sink.path: '" + directory + "' must be a directory below "
                    + SinkSpec.HOST_PATH_ROOT + " without . or .. segments");
        }
        Path mapped = config.sinkRoot().resolve(hostRoot.relativize(dir).toString());
        return mapped.resolve(namespace + "_" + name + ".jsonl");
    }

    @Override
    public void close() {
        for (EventSink s : new ArrayList<>(open.keySet())) {
            s.close();
        }
        open.clear();
        if (shared != null) {
            shared.close();
            shared = null;
        }
    }

    private EventSink shared() {
        if (shared == null) {
            shared = switch (config.defaultSink()) {
                case DefaultSink.Stdout s ->
                    EventSink.borrowed("stdout", new BufferedOutputStream(stdout, 1 << 16), timestamps.get());
                case DefaultSink.File f -> openFile(f.path(), AgentConfig.SINK);
            };
        }
        return shared;
    }

    private EventSink openFile(Path file, String field) {
        try {
            createInsideRoot(file.getParent(), field);
            // NOFOLLOW_LINKS: a symbolic link planted at the file's name is refused (ELOOP) rather than followed.
            OutputStream out = Files.newOutputStream(
                    file,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND,
                    StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS);
            LOG.log(System.Logger.Level.INFO, "sink=opened file={0}", file);
            return EventSink.owned(file.toString(), new BufferedOutputStream(out, 1 << 16), timestamps.get());
        } catch (IOException e) {
            throw new IllegalArgumentException(field + ": cannot open " + file + " for writing: " + e, e);
        }
    }

    /**
     * Creates the directory one level at a time below the sink root, refusing any level that is a symbolic
     * link: following one could make the agent (root on the node) create or write files anywhere.
     */
    private void createInsideRoot(Path dir, String field) throws IOException {
        Path root = config.sinkRoot();
        if (!dir.startsWith(root)) {
            throw new IllegalArgumentException(field + ": '" + dir + "' is not below " + root);
        }
        Path current = root;
        Files.createDirectories(root);
        for (Path part : root.relativize(dir)) {
            current = current.resolve(part.toString());
            if (Files.isSymbolicLink(current)) {
                throw new IllegalArgumentException(
                        field + ": '" + current + "' is a symbolic link; the agent only writes" + " below " + root
                                + " and does not follow links there");
            }
            if (!Files.isDirectory(current, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectory(current);
            }
        }
    }

    private static void flush(EventSink sink) {
        try {
            sink.flush();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "sink={0} flush=failed error=\"{1}\"", sink.name(), e.getMessage());
        }
    }

    /** The supplier's value, computed on the first call and kept. */
    static <T> Supplier<T> memoize(Supplier<T> s) {
        return new Supplier<>() {
            private T value;

            @Override
            public synchronized T get() {
                if (value == null) {
                    value = s.get();
                }
                return value;
            }
        };
    }
}
