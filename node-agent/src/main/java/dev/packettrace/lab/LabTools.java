// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.lab;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The external programs a lab runs, and the Debian packages that provide them. */
final class LabTools {

    private static final Map<String, String> PACKAGES = new LinkedHashMap<>();

    static {
        PACKAGES.put("ip", "iproute2");
        PACKAGES.put("ss", "iproute2");
        PACKAGES.put("iptables", "iptables");
        PACKAGES.put("ip6tables", "iptables");
        PACKAGES.put("nc", "netcat-openbsd");
        PACKAGES.put("ping", "iputils-ping");
    }

    private LabTools() {}

    static String installHint(String tool) {
        String pkg = PACKAGES.get(tool);
        return pkg == null ? "is it installed and on PATH?" : "install it with: apt-get install " + pkg;
    }

    /** Fails up front, naming every missing tool, rather than half-way through building a lab. */
    static void requireAll() {
        List<String> missing = new ArrayList<>();
        for (var e : PACKAGES.entrySet()) {
            if (find(e.getKey()).isEmpty()) {
                missing.add(e.getKey() + " (package " + e.getValue() + ")");
            }
        }
        if (!missing.isEmpty()) {
            throw new LabException("network lab needs programs that are not on PATH: " + String.join(", ", missing)
                    + "; install them with: apt-get install iproute2 iptables netcat-openbsd iputils-ping");
        }
    }

    static Optional<Path> find(String tool) {
        String path = Optional.ofNullable(System.getenv("PATH")).orElse("/usr/sbin:/usr/bin:/sbin:/bin");
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, tool);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
