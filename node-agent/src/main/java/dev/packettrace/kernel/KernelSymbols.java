package dev.packettrace.kernel;

import dev.packettrace.tracer.TracerException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Kernel text symbols from /proc/kallsyms, for turning the instruction addresses the tracer reports into
 * {@code function+0xoffset} and back.
 *
 * <p>Memory: about 120k-200k symbols are held in parallel primitive arrays (address, packed name bytes, name
 * offset, module id, and a by-name permutation), roughly 18 bytes per symbol plus its name, instead of one
 * object per symbol. Lookups are binary searches.
 *
 * <p>Only text symbols are kept (types t, T, w, W): the tracer only ever symbolizes code addresses. Where
 * several symbols share an address, a global one (T) is preferred over a weak (W) or local (t) one.
 */
public final class KernelSymbols {

    public static final Path KALLSYMS = Path.of("/proc/kallsyms");
    static final Path KPTR_RESTRICT = Path.of("/proc/sys/kernel/kptr_restrict");

    private static final short NO_MODULE = -1;

    /** Ascending as unsigned numbers; kernel addresses have the top bit set. */
    private final long[] addresses;
    /** Names of all symbols, Latin-1 bytes back to back; symbol i spans nameOffsets[i]..nameOffsets[i+1]. */
    private final byte[] names;
    private final int[] nameOffsets;
    /** Index into moduleNames, or NO_MODULE for the kernel image itself. */
    private final short[] moduleIds;
    private final String[] moduleNames;
    /** Symbol indices ordered by name, then by address. */
    private final int[] byName;

    private KernelSymbols(long[] addresses, byte[] names, int[] nameOffsets, short[] moduleIds,
                          String[] moduleNames, int[] byName) {
        this.addresses = addresses;
        this.names = names;
        this.nameOffsets = nameOffsets;
        this.moduleIds = moduleIds;
        this.moduleNames = moduleNames;
        this.byName = byName;
    }

    /** Loads /proc/kallsyms. */
    public static KernelSymbols load() {
        return load(KALLSYMS);
    }

    /**
     * Loads a kallsyms-format file.
     *
     * @throws TracerException with reason PERMISSION when every address reads as zero (hidden by
     *     kernel.kptr_restrict or for lack of CAP_SYSLOG), KERNEL_FEATURE when the file does not exist
     */
    public static KernelSymbols load(Path path) {
        try (BufferedReader in = Files.newBufferedReader(path, StandardCharsets.ISO_8859_1)) {
            return parse(in, path.toString());
        } catch (NoSuchFileException e) {
            throw new TracerException(TracerException.Reason.KERNEL_FEATURE, path
                    + " does not exist: the kernel was built without CONFIG_KALLSYMS, so kernel addresses"
                    + " cannot be turned into function names", e);
        } catch (IOException e) {
            throw new TracerException(TracerException.Reason.PERMISSION, "cannot read " + path + ": " + e, e);
        }
    }

    /**
     * Parses kallsyms text: lines of {@code <hex address> <type> <name>[\t[<module>]]}.
     *
     * @param source names the input in error messages
     * @throws IllegalArgumentException naming the line when a line is malformed or there are no text symbols
     */
    public static KernelSymbols parse(Reader reader, String source) throws IOException {
        BufferedReader in = reader instanceof BufferedReader b ? b : new BufferedReader(reader);
        Builder b = new Builder();
        String line;
        int lineNo = 0;
        while ((line = in.readLine()) != null) {
            lineNo++;
            if (!line.isBlank()) {
                b.addLine(line, source, lineNo);
            }
        }
        if (b.lines > 0 && !b.sawNonZeroAddress) {
            throw new TracerException(TracerException.Reason.PERMISSION, source + " lists " + b.lines
                    + " symbols but every address is 0: the kernel hides addresses from this process"
                    + kptrRestrictNote() + ". Run as root (with CAP_SYSLOG) and make sure"
                    + " kernel.kptr_restrict is 0 or 1 (sysctl -w kernel.kptr_restrict=1); 2 hides them from everyone.");
        }
        if (b.count == 0) {
            throw new IllegalArgumentException(source + " contains no text symbols (types t, T, w, W)");
        }
        return b.build();
    }

    private static String kptrRestrictNote() {
        try {
            return " (kernel.kptr_restrict = " + Files.readString(KPTR_RESTRICT).strip() + ")";
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /**
     * Names the function containing {@code address}: {@code "func+0x1a"}, or {@code "func+0x1a [module]"} for
     * a module. Empty when the address lies below the first text symbol.
     */
    public Optional<String> symbolize(long address) {
        int i = lastAtOrBelow(address);
        if (i < 0) {
            return Optional.empty();
        }
        i = firstWithAddress(addresses[i], i);
        StringBuilder sb = new StringBuilder(48)
                .append(new String(names, nameOffsets[i], nameOffsets[i + 1] - nameOffsets[i],
                        StandardCharsets.ISO_8859_1))
                .append("+0x").append(Long.toHexString(address - addresses[i]));
        if (moduleIds[i] != NO_MODULE) {
            sb.append(" [").append(moduleNames[moduleIds[i]]).append(']');
        }
        return Optional.of(sb.toString());
    }

    /** Address of the text symbol {@code name}; when the name occurs more than once, the lowest address. */
    public OptionalLong addressOf(String name) {
        if (!StandardCharsets.ISO_8859_1.newEncoder().canEncode(name)) {
            return OptionalLong.empty();
        }
        byte[] key = name.getBytes(StandardCharsets.ISO_8859_1);
        int lo = 0;
        int hi = byName.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (compareName(byName[mid], key) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        if (lo < byName.length && compareName(byName[lo], key) == 0) {
            return OptionalLong.of(addresses[byName[lo]]);
        }
        return OptionalLong.empty();
    }

    /** Number of text symbols held. */
    public int size() {
        return addresses.length;
    }

    /** Bytes of heap the tables take, counting 16-byte array headers and 8-byte alignment. */
    public long footprintBytes() {
        long total = array(addresses.length, 8) + array(names.length, 1) + array(nameOffsets.length, 4)
                + array(moduleIds.length, 2) + array(byName.length, 4) + array(moduleNames.length, 4);
        for (String m : moduleNames) {
            total += 24 + array(m.length(), 1);
        }
        return total;
    }

    private static long array(long length, int elementSize) {
        return (16 + length * elementSize + 7) & ~7L;
    }

    private int lastAtOrBelow(long address) {
        int lo = 0;
        int hi = addresses.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(addresses[mid], address) <= 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo - 1;
    }

    /** The preferred symbol at an address is the first of its run, as the build order put it there. */
    private int firstWithAddress(long address, int atOrAfter) {
        int lo = 0;
        int hi = atOrAfter;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(addresses[mid], address) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private int compareName(int symbol, byte[] key) {
        int from = nameOffsets[symbol];
        int to = nameOffsets[symbol + 1];
        return Arrays.compareUnsigned(names, from, to, key, 0, key.length);
    }

    /** Growable parse buffers; {@link #build()} sorts them into the final compact tables. */
    private static final class Builder {
        private long[] addrs = new long[1 << 14];
        private byte[] ranks = new byte[1 << 14];
        private int[] offsets = new int[(1 << 14) + 1];
        private short[] mods = new short[1 << 14];
        private byte[] nameBytes = new byte[1 << 18];
        private final Map<String, Short> moduleIndex = new HashMap<>();
        private int count;
        private int lines;
        private boolean sawNonZeroAddress;

        void addLine(String line, String source, int lineNo) {
            lines++;
            int sp1 = line.indexOf(' ');
            if (sp1 <= 0 || sp1 + 3 > line.length() || line.charAt(sp1 + 2) != ' ') {
                throw malformed(source, lineNo, line, "expected '<hex address> <type> <name>'");
            }
            long address;
            try {
                address = Long.parseUnsignedLong(line, 0, sp1, 16);
            } catch (NumberFormatException e) {
                throw malformed(source, lineNo, line, "address is not hexadecimal");
            }
            if (address != 0) {
                sawNonZeroAddress = true;
            }
            int rank = switch (line.charAt(sp1 + 1)) {
                case 'T' -> 0;
                case 'W' -> 1;
                case 't' -> 2;
                case 'w' -> 3;
                default -> -1;
            };
            if (rank < 0) {
                return;
            }
            int nameStart = sp1 + 3;
            int tab = line.indexOf('\t', nameStart);
            int nameEnd = tab < 0 ? line.length() : tab;
            if (nameEnd == nameStart) {
                throw malformed(source, lineNo, line, "symbol name is empty");
            }
            short module = NO_MODULE;
            if (tab >= 0) {
                String m = line.substring(tab + 1).strip();
                if (m.length() < 3 || m.charAt(0) != '[' || m.charAt(m.length() - 1) != ']') {
                    throw malformed(source, lineNo, line, "module must be written as [name] after a tab");
                }
                module = moduleId(m.substring(1, m.length() - 1), source, lineNo);
            }
            add(address, (byte) rank, line, nameStart, nameEnd, module);
        }

        private short moduleId(String name, String source, int lineNo) {
            Short id = moduleIndex.get(name);
            if (id == null) {
                if (moduleIndex.size() >= Short.MAX_VALUE) {
                    throw new IllegalArgumentException(source + ":" + lineNo + ": more than " + Short.MAX_VALUE
                            + " distinct modules");
                }
                id = (short) moduleIndex.size();
                moduleIndex.put(name, id);
            }
            return id;
        }

        private void add(long address, byte rank, String line, int nameStart, int nameEnd, short module) {
            if (count == addrs.length) {
                int n = count * 2;
                addrs = Arrays.copyOf(addrs, n);
                ranks = Arrays.copyOf(ranks, n);
                offsets = Arrays.copyOf(offsets, n + 1);
                mods = Arrays.copyOf(mods, n);
            }
            int start = offsets[count];
            int len = nameEnd - nameStart;
            if (start + len > nameBytes.length) {
                nameBytes = Arrays.copyOf(nameBytes, Math.max(nameBytes.length * 2, start + len));
            }
            for (int k = 0; k < len; k++) {
                // kallsyms is read as Latin-1, so each char is exactly one byte.
                nameBytes[start + k] = (byte) line.charAt(nameStart + k);
            }
            addrs[count] = address;
            ranks[count] = rank;
            mods[count] = module;
            offsets[count + 1] = start + len;
            count++;
        }

        KernelSymbols build() {
            int n = count;
            int[] order = IndexSort.sortedIndices(n, (a, b) -> {
                int c = Long.compareUnsigned(addrs[a], addrs[b]);
                return c != 0 ? c : Byte.compare(ranks[a], ranks[b]);
            });
            long[] addresses = new long[n];
            short[] moduleIds = new short[n];
            int[] nameOffsets = new int[n + 1];
            byte[] names = new byte[offsets[n]];
            int pos = 0;
            for (int i = 0; i < n; i++) {
                int s = order[i];
                addresses[i] = addrs[s];
                moduleIds[i] = mods[s];
                int len = offsets[s + 1] - offsets[s];
                System.arraycopy(nameBytes, offsets[s], names, pos, len);
                nameOffsets[i] = pos;
                pos += len;
            }
            nameOffsets[n] = pos;
            int[] byName = IndexSort.sortedIndices(n, (a, b) -> Arrays.compareUnsigned(
                    names, nameOffsets[a], nameOffsets[a + 1], names, nameOffsets[b], nameOffsets[b + 1]));
            String[] moduleNames = new String[moduleIndex.size()];
            moduleIndex.forEach((name, id) -> moduleNames[id] = name);
            return new KernelSymbols(addresses, names, nameOffsets, moduleIds, moduleNames, byName);
        }

        private static IllegalArgumentException malformed(String source, int lineNo, String line, String why) {
            return new IllegalArgumentException(source + ":" + lineNo + ": " + why + ": '" + line + "'");
        }
    }
}
