// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.agent;

import dev.packettrace.api.report.AgentProtocol;
import dev.packettrace.api.v1alpha1.SinkSpec;
import dev.packettrace.tracer.TracerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The node agent's settings, read from its environment (the DaemonSet sets them; NODE_NAME comes from the
 * downward API). Every bad value fails start-up with a message naming the variable.
 *
 * @param nodeName         this node, as Pods' spec.nodeName and PacketTrace status.targets[].node name it
 * @param procRoot         the host's proc: /proc with hostPID (the operator's DaemonSet), or a mount such as /host/proc
 * @param nodeReferencePid a process in the node's network namespace, to recognise host-network pods (PID 1 on a node)
 * @param sinkRoot         where the host's {@value SinkSpec#HOST_PATH_ROOT} is mounted in the agent: every file
 *                         the agent writes lies below it (a trace's spec.sink.path is mapped onto it)
 * @param defaultSink      where events of traces with the default sink (stdout) go
 * @param reportInterval   at most one report per trace this often (state changes are reported at once)
 * @param resolveInterval  how often target pods' network namespaces are looked up again, besides on pod changes
 * @param ringBufferBytes  size of the tracer's ring buffer (a power of two); events that do not fit are counted as lost
 */
public record AgentConfig(
        String nodeName,
        Path procRoot,
        int nodeReferencePid,
        Path sinkRoot,
        DefaultSink defaultSink,
        Duration reportInterval,
        Duration resolveInterval,
        int ringBufferBytes) {

    public static final String NODE_NAME = "NODE_NAME";
    public static final String PROC_ROOT = "PACKETTRACE_PROC_ROOT";
    public static final String NODE_REFERENCE_PID = "PACKETTRACE_NODE_REFERENCE_PID";
    public static final String SINK_ROOT = "PACKETTRACE_SINK_ROOT";
    public static final String SINK = "PACKETTRACE_SINK";
    public static final String REPORT_INTERVAL = "PACKETTRACE_REPORT_INTERVAL";
    public static final String RESOLVE_INTERVAL = "PACKETTRACE_RESOLVE_INTERVAL";
    public static final String RING_BUFFER = "PACKETTRACE_RING_BUFFER";

    public static final Duration DEFAULT_RESOLVE_INTERVAL = Duration.ofSeconds(10);
    static final Duration MIN_INTERVAL = Duration.ofMillis(100);
    static final Duration MAX_INTERVAL = Duration.ofMinutes(10);
    private static final Pattern NODE = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");
    private static final Pattern INTERVAL = Pattern.compile("(\\d{1,7})(ms|s|m)");
    private static final Pattern SIZE = Pattern.compile("(\\d{1,10})(Ki|Mi|Gi)?");

    public AgentConfig {
        Objects.requireNonNull(procRoot, "procRoot");
        Objects.requireNonNull(sinkRoot, "sinkRoot");
        Objects.requireNonNull(defaultSink, "defaultSink");
        require(
                nodeName != null && NODE.matcher(nodeName).matches(),
                NODE_NAME,
                "'" + nodeName
                        + "' is not a node name (lower-case DNS subdomain); set it from the downward API (fieldRef spec.nodeName)");
        require(procRoot.isAbsolute(), PROC_ROOT, "'" + procRoot + "' must be an absolute path");
        require(nodeReferencePid > 0, NODE_REFERENCE_PID, "must be a positive PID, was " + nodeReferencePid);
        require(
                sinkRoot.isAbsolute() && sinkRoot.normalize().equals(sinkRoot),
                SINK_ROOT,
                "'" + sinkRoot + "' must be an absolute path without . or .. segments");
        if (defaultSink instanceof DefaultSink.File(Path path)) {
            require(
                    path.isAbsolute()
                            && path.normalize().equals(path)
                            && path.startsWith(sinkRoot)
                            && !path.equals(sinkRoot),
                    SINK,
                    "file '" + path + "' must be an absolute path below " + sinkRoot + " (" + SINK_ROOT
                            + ") without . or .. segments");
        }
        requireInterval(reportInterval, REPORT_INTERVAL);
        requireInterval(resolveInterval, RESOLVE_INTERVAL);
        try {
            new TracerConfig(
                    dev.packettrace.tracer.TraceFilter.all(),
                    dev.packettrace.tracer.Backend.AUTO,
                    false,
                    ringBufferBytes);
        } catch (IllegalArgumentException e) {
            throw new AgentConfigException(RING_BUFFER + ": " + e.getMessage());
        }
    }

    public static AgentConfig fromEnv(Map<String, String> env) {
        Path sinkRoot = path(env, SINK_ROOT).orElse(Path.of(SinkSpec.HOST_PATH_ROOT));
        DefaultSink sink = value(env, SINK)
                .map(v -> v.equals("stdout")
                        ? (DefaultSink) new DefaultSink.Stdout()
                        : new DefaultSink.File(pathOf(SINK, v)))
                .orElse(new DefaultSink.Stdout());
        return new AgentConfig(
                value(env, NODE_NAME)
                        .orElseThrow(() -> new AgentConfigException(NODE_NAME
                                + ": not set; the DaemonSet passes it from the downward API (fieldRef spec.nodeName)")),
                path(env, PROC_ROOT).orElse(Path.of("/proc")),
                value(env, NODE_REFERENCE_PID)
                        .map(v -> integer(NODE_REFERENCE_PID, v))
                        .orElse(1),
                sinkRoot,
                sink,
                value(env, REPORT_INTERVAL)
                        .map(v -> interval(REPORT_INTERVAL, v))
                        .orElse(AgentProtocol.REPORT_INTERVAL),
                value(env, RESOLVE_INTERVAL)
                        .map(v -> interval(RESOLVE_INTERVAL, v))
                        .orElse(DEFAULT_RESOLVE_INTERVAL),
                value(env, RING_BUFFER).map(v -> size(RING_BUFFER, v)).orElse(TracerConfig.DEFAULT_RING_BUFFER_BYTES));
    }

    /** "500ms", "2s", "1m". */
    static Duration interval(String variable, String text) {
        Matcher m = INTERVAL.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new AgentConfigException(variable + "='" + text + "' is not a duration like 500ms, 2s or 1m");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            default -> Duration.ofMinutes(n);
        };
    }

    /** Bytes, optionally with Ki, Mi or Gi: "8Mi". */
    static int size(String variable, String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new AgentConfigException(variable + "='" + text + "' is not a size like 8Mi or 4194304");
        }
        long shift = m.group(2) == null
                ? 0
                : switch (m.group(2)) {
                    case "Ki" -> 10;
                    case "Mi" -> 20;
                    default -> 30;
                };
        long bytes = Long.parseLong(m.group(1)) << shift;
        if (bytes > Integer.MAX_VALUE) {
            throw new AgentConfigException(
                    variable + "='" + text + "' is larger than " + TracerConfig.MAX_RING_BUFFER_BYTES + " bytes");
        }
        return (int) bytes;
    }

    private static void requireInterval(Duration d, String variable) {
        require(
                d != null && d.compareTo(MIN_INTERVAL) >= 0 && d.compareTo(MAX_INTERVAL) <= 0,
                variable,
                d + " is outside " + MIN_INTERVAL.toMillis() + "ms.." + MAX_INTERVAL.toMinutes() + "m");
    }

    private static Optional<String> value(Map<String, String> env, String name) {
        return Optional.ofNullable(env.get(name)).map(String::trim).filter(v -> !v.isEmpty());
    }

    private static Optional<Path> path(Map<String, String> env, String name) {
        return value(env, name).map(v -> pathOf(name, v));
    }

    private static Path pathOf(String variable, String text) {
        try {
            return Path.of(text);
        } catch (java.nio.file.InvalidPathException e) {
            throw new AgentConfigException(variable + "='" + text + "' is not a path: " + e.getMessage());
        }
    }

    private static int integer(String variable, String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new AgentConfigException(variable + "='" + text + "' is not a whole number");
        }
    }

    private static void require(boolean ok, String variable, String message) {
        if (!ok) {
            throw new AgentConfigException(variable + ": " + message);
        }
    }
}
