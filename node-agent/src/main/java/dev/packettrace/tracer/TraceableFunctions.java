// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What the running kernel lets one probe, beyond what BTF says exists: ftrace's list of functions it can
 * patch (a function missing there was inlined or is marked notrace, and neither kprobe-multi nor fentry
 * can attach to it) and the kprobe blacklist.
 *
 * @param available   names in available_filter_functions; empty when the file could not be read
 * @param blacklisted names in the kprobe blacklist (empty when there is none or it could not be read)
 * @param notes       what could not be read and what that means, for the log and the backend reason
 */
public record TraceableFunctions(Optional<Set<String>> available, Set<String> blacklisted, List<String> notes) {

    static final List<Path> AVAILABLE_FILES = List.of(
            Path.of("/sys/kernel/tracing/available_filter_functions"),
            Path.of("/sys/kernel/debug/tracing/available_filter_functions"));
    static final Path BLACKLIST_FILE = Path.of("/sys/kernel/debug/kprobes/blacklist");

    public TraceableFunctions {
        available = available.map(Set::copyOf);
        blacklisted = Set.copyOf(blacklisted);
        notes = List.copyOf(notes);
    }

    /** Reads the running kernel's lists. */
    public static TraceableFunctions read() {
        return read(AVAILABLE_FILES, BLACKLIST_FILE);
    }

    static TraceableFunctions read(List<Path> availableFiles, Path blacklistFile) {
        List<String> notes = new ArrayList<>();
        Optional<Set<String>> available = Optional.empty();
        List<String> problems = new ArrayList<>();
        for (Path file : availableFiles) {
            try (Stream<String> lines = Files.lines(file)) {
                available = Optional.of(parseAvailable(lines));
                break;
            } catch (IOException | java.io.UncheckedIOException e) {
                problems.add(file + ": " + why(e));
            }
        }
        if (available.isEmpty()) {
            notes.add("cannot read available_filter_functions (" + String.join("; ", problems)
                    + "): functions that cannot be traced are not excluded beforehand");
        }
        Set<String> blacklisted = Set.of();
        try (Stream<String> lines = Files.lines(blacklistFile)) {
            blacklisted = parseBlacklist(lines);
        } catch (IOException | java.io.UncheckedIOException e) {
            notes.add("cannot read the kprobe blacklist (" + blacklistFile + ": " + why(e)
                    + "; is debugfs mounted?): blacklisted functions are skipped when kprobes refuse them");
        }
        return new TraceableFunctions(available, blacklisted, notes);
    }

    /** Lines are "name" or "name [module]"; a name can repeat (static functions of the same name). */
    static Set<String> parseAvailable(Stream<String> lines) {
        Set<String> names = new HashSet<>();
        lines.map(TraceableFunctions::firstWord).filter(n -> !n.isEmpty()).forEach(names::add);
        return names;
    }

    /** Lines are "0xstart-0xend\tname" or "0xstart-0xend\tname [module]". */
    static Set<String> parseBlacklist(Stream<String> lines) {
        Set<String> names = new HashSet<>();
        lines.forEach(line -> {
            String[] fields = line.strip().split("\\s+");
            if (fields.length >= 2 && fields[0].startsWith("0x")) {
                names.add(fields[1]);
            }
        });
        return names;
    }

    private static String firstWord(String line) {
        String s = line.strip();
        int space = s.indexOf(' ');
        return space < 0 ? s : s.substring(0, space);
    }

    private static String why(Exception e) {
        Throwable t = e instanceof java.io.UncheckedIOException u ? u.getCause() : e;
        if (t instanceof NoSuchFileException) {
            return "missing";
        }
        if (t instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (t instanceof java.nio.file.FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
