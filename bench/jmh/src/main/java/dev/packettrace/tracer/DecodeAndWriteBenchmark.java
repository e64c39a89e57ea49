// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.packettrace.bindings.Btf;
import dev.packettrace.kernel.KernelSymbols;
import dev.packettrace.output.JsonLinesWriter;
import dev.packettrace.output.TimestampFormatter;
import dev.packettrace.output.TimestampMode;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Ring buffer records to JSON lines in a file, as the CLI does with {@code --output-json --output-file}: each record
 * is viewed as a read-only little-endian buffer (as RingBufferReader hands it over), decoded by {@link EventDecoder}
 * (probe names, drop-reason names from the kernel's BTF, locations from /proc/kallsyms) and written by
 * {@link JsonLinesWriter} to a file opened like the CLI opens --output-file, flushed after every batch as the CLI
 * flushes after every poll. The peer ({@code writer=databind}) writes the same events with Jackson's ObjectMapper.
 *
 * <p>Score: events per second. The {@code bytes} counter: bytes written to the file per second. After every
 * iteration the file is checked: its size must equal the bytes written and it must hold exactly one line per event
 * (no event lost or cut short); then it is deleted so the next iteration starts empty.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class DecodeAndWriteBenchmark {

    /** Events per benchmark call, then one flush: a poll's worth of records under load. */
    static final int BATCH = 1024;
    /** Distinct sk_buffs in the record pool (about 7 records each, ~4 MiB of records). */
    static final int SKBS = 4096;

    /** streaming: the product's JsonLinesWriter; databind: the ObjectMapper peer. */
    @Param({"streaming", "databind"})
    public String writer;

    /** Directory for the output file; a real disk, not tmpfs, by default. */
    @Param({"bench/out/decode"})
    public String dir;

    private ByteBuffer[] records;
    private EventDecoder decoder;
    private int next;
    private Path file;
    private CountingStream stream;
    private JsonLinesWriter streaming;
    private DatabindJsonLines databind;
    private long eventsThisIteration;

    /** Events and bytes written, reported per second next to the score. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Written {
        public long events;
        public long bytes;

        @Setup(Level.Iteration)
        public void reset() {
            events = 0;
            bytes = 0;
        }
    }

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        long netfilterDrop;
        DropReasons reasons;
        try (Btf kernel = Btf.loadVmlinux()) {
            netfilterDrop = PtEventRecords.dropReason(kernel, "NETFILTER_DROP");
            reasons = DropReasons.fromKernel(kernel);
        }
        KernelSymbols symbols = KernelSymbols.load();
        records = PtEventRecords.build(SKBS, symbols, netfilterDrop).toArray(ByteBuffer[]::new);
        // The tracer's own symbolizer (kallsyms loaded once, in the background), as a live session uses it.
        decoder = new EventDecoder(PtEventRecords.probes(), reasons, KernelAddressSymbolizer.shared());
        Files.createDirectories(Path.of(dir));
        checkPeerWritesTheSameJson();
    }

    @Setup(Level.Iteration)
    public void openFile() throws IOException {
        file = Path.of(dir, "events-" + writer + ".jsonl");
        stream = new CountingStream(Files.newOutputStream(
                file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE));
        eventsThisIteration = 0;
        switch (writer) {
            case "streaming" ->
                streaming = new JsonLinesWriter(
                        stream,
                        new TimestampFormatter(TimestampMode.RELATIVE, () -> {
                            throw new IllegalStateException("relative timestamps need no wall clock");
                        }),
                        false);
            case "databind" -> databind = new DatabindJsonLines(stream);
            default -> throw new IllegalArgumentException("writer=" + writer + ": expected streaming or databind");
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void decodeAndWrite(Written written) throws IOException {
        long before = stream.count;
        if (streaming != null) {
            for (int i = 0; i < BATCH; i++) {
                streaming.write(decoder.decode(nextRecord()));
            }
            streaming.flush();
        } else {
            for (int i = 0; i < BATCH; i++) {
                databind.write(decoder.decode(nextRecord()));
            }
            databind.flush();
        }
        eventsThisIteration += BATCH;
        written.events += BATCH;
        written.bytes += stream.count - before;
    }

    private ByteBuffer nextRecord() {
        ByteBuffer r = records[next];
        next = next + 1 == records.length ? 0 : next + 1;
        return r.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    @TearDown(Level.Iteration)
    public void checkAndDeleteFile() throws IOException {
        if (streaming != null) {
            streaming.flush();
            streaming = null;
        } else {
            databind.flush();
            databind.close();
            databind = null;
        }
        stream.close();
        long size = Files.size(file);
        if (size != stream.count) {
            throw new IllegalStateException(file + " holds " + size + " bytes, " + stream.count + " were written");
        }
        long lines = countLines(file);
        if (lines != eventsThisIteration) {
            throw new IllegalStateException(file + " holds " + lines + " lines for " + eventsThisIteration + " events");
        }
        Files.delete(file);
    }

    /** Lines, counting a last line without its newline (the databind peer puts separators between values). */
    private static long countLines(Path file) throws IOException {
        long lines = 0;
        byte last = '\n';
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            for (long pos = 0; pos < size; pos += Integer.MAX_VALUE) {
                MappedByteBuffer m =
                        ch.map(FileChannel.MapMode.READ_ONLY, pos, Math.min(Integer.MAX_VALUE, size - pos));
                while (m.hasRemaining()) {
                    last = m.get();
                    if (last == '\n') {
                        lines++;
                    }
                }
            }
        }
        return last == '\n' ? lines : lines + 1;
    }

    /**
     * The comparison is only fair if both write the same thing: renders the whole record pool with both writers and
     * requires the same JSON objects, line by line (addresses compared as addresses, see {@link DatabindJsonLines}).
     */
    private void checkPeerWritesTheSameJson() throws IOException {
        // record by record, so that the check fits in the small heap the launcher gives the tracer
        ByteArrayOutputStream a = new ByteArrayOutputStream();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        JsonLinesWriter s = new JsonLinesWriter(
                a,
                new TimestampFormatter(TimestampMode.RELATIVE, () -> {
                    throw new IllegalStateException("relative timestamps need no wall clock");
                }),
                false);
        ObjectMapper json = new ObjectMapper();
        boolean namedDrop = false;
        try (DatabindJsonLines d = new DatabindJsonLines(b)) {
            for (int i = 0; i < records.length; i++) {
                PacketEvent e = decoder.decode(records[i].asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN));
                s.write(e);
                s.flush();
                d.write(e);
                d.flush();
                // databind's sequence writer puts the line separator before a value, not after it
                String left = a.toString(StandardCharsets.UTF_8).strip();
                String right = b.toString(StandardCharsets.UTF_8).strip();
                if (left.isEmpty() || right.isEmpty() || left.contains("\n") || right.contains("\n")) {
                    throw new IllegalStateException(
                            "record " + (i + 1) + ": expected one line from each writer, got:\n streaming " + left
                                    + "\n databind  " + right);
                }
                if (!normalized(json.readTree(left)).equals(normalized(json.readTree(right)))) {
                    throw new IllegalStateException(
                            "line " + (i + 1) + " differs:\n streaming " + left + "\n databind  " + right);
                }
                namedDrop |= left.contains("\"dropReason\":\"NETFILTER_DROP\",\"location\":\"nf_hook_slow+0xa6\"");
                a.reset();
                b.reset();
            }
        }
        if (!namedDrop) {
            throw new IllegalStateException(
                    "no drop named NETFILTER_DROP at nf_hook_slow+0xa6 in the streaming output");
        }
    }

    private static JsonNode normalized(JsonNode line) {
        JsonNode tuple = line.get("tuple");
        if (tuple instanceof ObjectNode t) {
            for (String field : List.of("saddr", "daddr")) {
                try {
                    t.put(field, InetAddress.getByName(t.get(field).asText()).getHostAddress());
                } catch (IOException e) {
                    throw new UncheckedIOException("tuple." + field + " is not an address: " + t.get(field), e);
                }
            }
        }
        return line;
    }

    /** Counts bytes on their way to the file; the writers' own buffers sit in front of it. */
    private static final class CountingStream extends FilterOutputStream {
        long count;

        CountingStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
