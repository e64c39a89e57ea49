package dev.packettrace.tracer;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** How the tracer attaches to the kernel. AUTO picks the best one the running kernel supports. */
public enum Backend {
    AUTO("auto"),
    TRACEPOINT("tracepoint");

    private final String flagName;

    Backend(String flagName) {
        this.flagName = flagName;
    }

    public String flagName() {
        return flagName;
    }

    public static Optional<Backend> ofName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(b -> b.flagName.equals(n)).findFirst();
    }

    public static String names() {
        return Arrays.stream(values()).map(Backend::flagName).collect(Collectors.joining(", "));
    }
}
