// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.operator;

import dev.packettrace.api.v1alpha1.SinkSpec;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything an administrator sets for the operator (later the Helm chart's values), read from
 * environment variables named PACKETTRACE_*. Bad values fail start-up with a message naming the variable.
 *
 * @param operatorNamespace where the node-agent DaemonSet and the leader-election lease live
 * @param agentCapabilities Linux capabilities the agent container adds (everything else is dropped)
 * @param agentNodeSelector labels a node must have to get an agent (on top of hosting a target)
 * @param agentPrivileged   run the agent as a privileged container instead of with agentCapabilities: for
 *                          nodes whose kernel or security module refuses the capability set
 * @param agentSinkHostDirectory the node directory mounted at /var/log/packettrace in the agent (hostPath sinks)
 * @param agentDefaultSink  where agents write the events of traces without spec.sink: "stdout", or a file
 *                          below /var/log/packettrace (inside the agent, i.e. below agentSinkHostDirectory)
 * @param allowPacketContent whether a trace may ask for packet contents (spec.output.packetContent); off by
 *                          default because packet bytes carry whatever the applications send
 * @param idleGracePeriod   how long the DaemonSet stays after the last trace needing it ended
 * @param maxDuration       cluster-wide cap on spec.duration
 * @param maxEventsPerTrace cluster-wide cap on spec.output.maxEvents
 * @param maxTracesPerNode  how many traces may run on one node at once
 * @param capPolicy         what happens to a trace asking for more than maxDuration/maxEventsPerTrace
 * @param pendingTimeout    a trace whose agents have not attached by then fails
 * @param detachTimeout     how long deletion waits for agents to report they detached
 * @param operatorDeployment the operator's own Deployment in operatorNamespace, made the owner of the
 *                          node-agent DaemonSet so that removing the operator (helm uninstall) also removes
 *                          the agents; empty when the operator does not run from a Deployment (tests, local runs)
 */
public record OperatorConfig(
        String operatorNamespace,
        String agentDaemonSetName,
        String agentImage,
        String agentImagePullPolicy,
        String agentServiceAccount,
        ResourceRequirements agentResources,
        List<Toleration> agentTolerations,
        List<String> agentCapabilities,
        Map<String, String> agentNodeSelector,
        boolean agentPrivileged,
        String agentSinkHostDirectory,
        String agentDefaultSink,
        Optional<String> agentPriorityClassName,
        Duration idleGracePeriod,
        Duration maxDuration,
        long maxEventsPerTrace,
        int maxTracesPerNode,
        CapPolicy capPolicy,
        Duration pendingTimeout,
        Duration detachTimeout,
        boolean leaderElection,
        String leaseName,
        boolean allowPacketContent,
        Optional<String> operatorDeployment) {

    /** Clamp: run the trace within the caps and say so in status. Reject: fail the trace and say why. */
    public enum CapPolicy {
        CLAMP,
        REJECT
    }

    public static final List<String> DEFAULT_CAPABILITIES =
            List.of("BPF", "PERFMON", "SYSLOG", "SYS_PTRACE", "SYS_RESOURCE");

    public OperatorConfig {
        agentTolerations = List.copyOf(agentTolerations);
        agentCapabilities = List.copyOf(agentCapabilities);
        agentNodeSelector = Map.copyOf(new java.util.TreeMap<>(agentNodeSelector));
        require(!operatorNamespace.isBlank(), "PACKETTRACE_NAMESPACE", "must not be empty");
        require(!agentImage.isBlank(), "PACKETTRACE_AGENT_IMAGE", "must not be empty");
        require(
                maxEventsPerTrace >= 1,
                "PACKETTRACE_MAX_EVENTS_PER_TRACE",
                "must be at least 1, got " + maxEventsPerTrace);
        require(
                maxTracesPerNode >= 1,
                "PACKETTRACE_MAX_TRACES_PER_NODE",
                "must be at least 1, got " + maxTracesPerNode);
        require(!maxDuration.isNegative() && !maxDuration.isZero(), "PACKETTRACE_MAX_DURATION", "must be positive");
        require(
                isCleanAbsolute(agentSinkHostDirectory) && !agentSinkHostDirectory.equals("/"),
                "PACKETTRACE_AGENT_SINK_HOST_DIRECTORY",
                "'" + agentSinkHostDirectory + "' must be an absolute directory other than / without . or .. segments");
        require(
                agentDefaultSink.equals(STDOUT_SINK)
                        || (isCleanAbsolute(agentDefaultSink)
                                && agentDefaultSink.startsWith(SinkSpec.HOST_PATH_ROOT + "/")
                                && !agentDefaultSink.endsWith("/")),
                "PACKETTRACE_AGENT_DEFAULT_SINK",
                "'" + agentDefaultSink + "' must be stdout or a file below " + SinkSpec.HOST_PATH_ROOT
                        + " without . or .. segments");
    }

    /** The agent's default sink value for its standard output (anything else is a file). */
    public static final String STDOUT_SINK = "stdout";

    private static boolean isCleanAbsolute(String path) {
        return path.startsWith("/")
                && java.util.Arrays.stream(path.split("/")).noneMatch(seg -> seg.equals(".") || seg.equals(".."))
                && !path.contains("//");
    }

    /** Defaults suitable for tests and for a first install. */
    public static OperatorConfig defaults(String namespace) {
        return fromEnv(Map.of("PACKETTRACE_NAMESPACE", namespace));
    }

    public static OperatorConfig fromEnv(Map<String, String> env) {
        Env e = new Env(env);
        KubernetesSerialization json = new KubernetesSerialization();
        ResourceRequirements resources = e.opt("PACKETTRACE_AGENT_RESOURCES")
                .map(v -> e.parse("PACKETTRACE_AGENT_RESOURCES", () -> json.unmarshal(v, ResourceRequirements.class)))
                .orElseGet(OperatorConfig::defaultResources);
        List<Toleration> tolerations = e.opt("PACKETTRACE_AGENT_TOLERATIONS")
                .map(v ->
                        e.parse("PACKETTRACE_AGENT_TOLERATIONS", () -> List.of(json.unmarshal(v, Toleration[].class))))
                // Targets may run on tainted nodes; the agent must be able to follow them there.
                .orElse(List.of(new io.fabric8.kubernetes.api.model.TolerationBuilder()
                        .withOperator("Exists")
                        .build()));
        List<String> caps = e.opt("PACKETTRACE_AGENT_CAPABILITIES")
                .map(v -> List.of(v.split("\\s*,\\s*")))
                .orElse(DEFAULT_CAPABILITIES);
        Map<String, String> nodeSelector = e.opt("PACKETTRACE_AGENT_NODE_SELECTOR")
                .map(v -> e.parse("PACKETTRACE_AGENT_NODE_SELECTOR", () -> stringMap(json, v)))
                .orElse(Map.of());
        // Same order as the components, so that of several bad variables the same one is reported first.
        return new Builder()
                .operatorNamespace(e.get("PACKETTRACE_NAMESPACE", "packettrace-system"))
                .agentDaemonSetName(e.get("PACKETTRACE_AGENT_DAEMONSET", "packettrace-node-agent"))
                .agentImage(e.get("PACKETTRACE_AGENT_IMAGE", "packettrace/node-agent:0.1.0"))
                .agentImagePullPolicy(e.get("PACKETTRACE_AGENT_IMAGE_PULL_POLICY", "IfNotPresent"))
                .agentServiceAccount(e.get("PACKETTRACE_AGENT_SERVICE_ACCOUNT", "packettrace-node-agent"))
                .agentResources(resources)
                .agentTolerations(tolerations)
                .agentCapabilities(caps)
                .agentNodeSelector(nodeSelector)
                .agentPrivileged(e.bool("PACKETTRACE_AGENT_PRIVILEGED", false))
                .agentSinkHostDirectory(e.get("PACKETTRACE_AGENT_SINK_HOST_DIRECTORY", SinkSpec.HOST_PATH_ROOT))
                .agentDefaultSink(e.get("PACKETTRACE_AGENT_DEFAULT_SINK", STDOUT_SINK))
                .agentPriorityClassName(e.opt("PACKETTRACE_AGENT_PRIORITY_CLASS"))
                .idleGracePeriod(e.duration("PACKETTRACE_IDLE_GRACE_PERIOD", Duration.ofMinutes(10)))
                .maxDuration(e.duration("PACKETTRACE_MAX_DURATION", Duration.ofHours(1)))
                .maxEventsPerTrace(e.number("PACKETTRACE_MAX_EVENTS_PER_TRACE", 1_000_000))
                .maxTracesPerNode((int) e.number("PACKETTRACE_MAX_TRACES_PER_NODE", 4))
                .capPolicy(e.parse(
                        "PACKETTRACE_CAP_POLICY",
                        () -> CapPolicy.valueOf(
                                e.get("PACKETTRACE_CAP_POLICY", "clamp").toUpperCase())))
                .pendingTimeout(e.duration("PACKETTRACE_PENDING_TIMEOUT", Duration.ofMinutes(5)))
                .detachTimeout(e.duration("PACKETTRACE_DETACH_TIMEOUT", Duration.ofSeconds(60)))
                .leaderElection(Boolean.parseBoolean(e.get("PACKETTRACE_LEADER_ELECTION", "true")))
                .leaseName(e.get("PACKETTRACE_LEASE_NAME", "packettrace-operator-leader"))
                .allowPacketContent(e.bool("PACKETTRACE_ALLOW_PACKET_CONTENT", false))
                .operatorDeployment(e.opt("PACKETTRACE_OPERATOR_DEPLOYMENT"))
                .build();
    }

    /** A builder holding this configuration, to change a few settings and keep the rest. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Sets components by name instead of by position among 24. Only obtainable from an existing
     * configuration ({@link #toBuilder()}) or from {@link #fromEnv}, so every component always has a
     * value; the setters refuse null (an unset optional is {@code Optional.empty()}) except where noted, and {@link #build()}
     * runs the record's validation, which throws {@link ConfigException}.
     */
    public static final class Builder {
        private String operatorNamespace;
        private String agentDaemonSetName;
        private String agentImage;
        private String agentImagePullPolicy;
        private String agentServiceAccount;
        private ResourceRequirements agentResources;
        private List<Toleration> agentTolerations;
        private List<String> agentCapabilities;
        private Map<String, String> agentNodeSelector;
        private boolean agentPrivileged;
        private String agentSinkHostDirectory;
        private String agentDefaultSink;
        private Optional<String> agentPriorityClassName;
        private Duration idleGracePeriod;
        private Duration maxDuration;
        private long maxEventsPerTrace;
        private int maxTracesPerNode;
        private CapPolicy capPolicy;
        private Duration pendingTimeout;
        private Duration detachTimeout;
        private boolean leaderElection;
        private String leaseName;
        private boolean allowPacketContent;
        private Optional<String> operatorDeployment;

        private Builder() {}

        private Builder(OperatorConfig c) {
            operatorNamespace = c.operatorNamespace;
            agentDaemonSetName = c.agentDaemonSetName;
            agentImage = c.agentImage;
            agentImagePullPolicy = c.agentImagePullPolicy;
            agentServiceAccount = c.agentServiceAccount;
            agentResources = c.agentResources;
            agentTolerations = c.agentTolerations;
            agentCapabilities = c.agentCapabilities;
            agentNodeSelector = c.agentNodeSelector;
            agentPrivileged = c.agentPrivileged;
            agentSinkHostDirectory = c.agentSinkHostDirectory;
            agentDefaultSink = c.agentDefaultSink;
            agentPriorityClassName = c.agentPriorityClassName;
            idleGracePeriod = c.idleGracePeriod;
            maxDuration = c.maxDuration;
            maxEventsPerTrace = c.maxEventsPerTrace;
            maxTracesPerNode = c.maxTracesPerNode;
            capPolicy = c.capPolicy;
            pendingTimeout = c.pendingTimeout;
            detachTimeout = c.detachTimeout;
            leaderElection = c.leaderElection;
            leaseName = c.leaseName;
            allowPacketContent = c.allowPacketContent;
            operatorDeployment = c.operatorDeployment;
        }

        public Builder operatorNamespace(String v) {
            operatorNamespace = Objects.requireNonNull(v, "operatorNamespace");
            return this;
        }

        public Builder agentDaemonSetName(String v) {
            agentDaemonSetName = Objects.requireNonNull(v, "agentDaemonSetName");
            return this;
        }

        public Builder agentImage(String v) {
            agentImage = Objects.requireNonNull(v, "agentImage");
            return this;
        }

        public Builder agentImagePullPolicy(String v) {
            agentImagePullPolicy = Objects.requireNonNull(v, "agentImagePullPolicy");
            return this;
        }

        public Builder agentServiceAccount(String v) {
            agentServiceAccount = Objects.requireNonNull(v, "agentServiceAccount");
            return this;
        }

        /** Null is let through, as it always was: PACKETTRACE_AGENT_RESOURCES=null (Helm agent.resources: null) means none. */
        public Builder agentResources(ResourceRequirements v) {
            agentResources = v;
            return this;
        }

        public Builder agentTolerations(List<Toleration> v) {
            agentTolerations = Objects.requireNonNull(v, "agentTolerations");
            return this;
        }

        public Builder agentCapabilities(List<String> v) {
            agentCapabilities = Objects.requireNonNull(v, "agentCapabilities");
            return this;
        }

        public Builder agentNodeSelector(Map<String, String> v) {
            agentNodeSelector = Objects.requireNonNull(v, "agentNodeSelector");
            return this;
        }

        public Builder agentPrivileged(boolean v) {
            agentPrivileged = v;
            return this;
        }

        public Builder agentSinkHostDirectory(String v) {
            agentSinkHostDirectory = Objects.requireNonNull(v, "agentSinkHostDirectory");
            return this;
        }

        public Builder agentDefaultSink(String v) {
            agentDefaultSink = Objects.requireNonNull(v, "agentDefaultSink");
            return this;
        }

        public Builder agentPriorityClassName(Optional<String> v) {
            agentPriorityClassName = Objects.requireNonNull(v, "agentPriorityClassName");
            return this;
        }

        public Builder idleGracePeriod(Duration v) {
            idleGracePeriod = Objects.requireNonNull(v, "idleGracePeriod");
            return this;
        }

        public Builder maxDuration(Duration v) {
            maxDuration = Objects.requireNonNull(v, "maxDuration");
            return this;
        }

        public Builder maxEventsPerTrace(long v) {
            maxEventsPerTrace = v;
            return this;
        }

        public Builder maxTracesPerNode(int v) {
            maxTracesPerNode = v;
            return this;
        }

        public Builder capPolicy(CapPolicy v) {
            capPolicy = Objects.requireNonNull(v, "capPolicy");
            return this;
        }

        public Builder pendingTimeout(Duration v) {
            pendingTimeout = Objects.requireNonNull(v, "pendingTimeout");
            return this;
        }

        public Builder detachTimeout(Duration v) {
            detachTimeout = Objects.requireNonNull(v, "detachTimeout");
            return this;
        }

        public Builder leaderElection(boolean v) {
            leaderElection = v;
            return this;
        }

        public Builder leaseName(String v) {
            leaseName = Objects.requireNonNull(v, "leaseName");
            return this;
        }

        public Builder allowPacketContent(boolean v) {
            allowPacketContent = v;
            return this;
        }

        public Builder operatorDeployment(Optional<String> v) {
            operatorDeployment = Objects.requireNonNull(v, "operatorDeployment");
            return this;
        }

        public OperatorConfig build() {
            return new OperatorConfig(
                    operatorNamespace,
                    agentDaemonSetName,
                    agentImage,
                    agentImagePullPolicy,
                    agentServiceAccount,
                    agentResources,
                    agentTolerations,
                    agentCapabilities,
                    agentNodeSelector,
                    agentPrivileged,
                    agentSinkHostDirectory,
                    agentDefaultSink,
                    agentPriorityClassName,
                    idleGracePeriod,
                    maxDuration,
                    maxEventsPerTrace,
                    maxTracesPerNode,
                    capPolicy,
                    pendingTimeout,
                    detachTimeout,
                    leaderElection,
                    leaseName,
                    allowPacketContent,
                    operatorDeployment);
        }
    }

    private static Map<String, String> stringMap(KubernetesSerialization json, String text) {
        Map<?, ?> raw = json.unmarshal(text, Map.class);
        Map<String, String> result = new java.util.TreeMap<>();
        raw.forEach((k, v) -> {
            if (!(v instanceof String s)) {
                throw new IllegalArgumentException("the value of '" + k + "' must be a string, got " + v);
            }
            result.put(String.valueOf(k), s);
        });
        return result;
    }

    private static ResourceRequirements defaultResources() {
        return new KubernetesSerialization()
                .unmarshal(
                        "{\"requests\":{\"cpu\":\"50m\",\"memory\":\"128Mi\"},\"limits\":{\"memory\":\"512Mi\"}}",
                        ResourceRequirements.class);
    }

    private static void require(boolean ok, String variable, String message) {
        if (!ok) {
            throw new ConfigException(variable + ": " + message);
        }
    }

    /** A bad operator setting; the message names the environment variable. */
    public static final class ConfigException extends RuntimeException {
        public ConfigException(String message) {
            super(message);
        }
    }

    private record Env(Map<String, String> env) {
        Optional<String> opt(String name) {
            return Optional.ofNullable(env.get(name)).map(String::trim).filter(v -> !v.isEmpty());
        }

        String get(String name, String dflt) {
            return opt(name).orElse(dflt);
        }

        Duration duration(String name, Duration dflt) {
            return opt(name)
                    .map(v -> parse(name, () -> dev.packettrace.api.validation.DurationText.parse(v)))
                    .orElse(dflt);
        }

        /** Strict: a typo such as "ture" must not silently mean false for a security switch. */
        boolean bool(String name, boolean dflt) {
            return opt(name)
                    .map(v -> switch (v.toLowerCase(java.util.Locale.ROOT)) {
                        case "true" -> true;
                        case "false" -> false;
                        default -> throw new ConfigException(name + "='" + v + "' is not valid: must be true or false");
                    })
                    .orElse(dflt);
        }

        long number(String name, long dflt) {
            return opt(name).map(v -> parse(name, () -> Long.parseLong(v))).orElse(dflt);
        }

        <T> T parse(String name, java.util.function.Supplier<T> parser) {
            try {
                return parser.get();
            } catch (RuntimeException ex) {
                throw new ConfigException(name + "='" + env.get(name) + "' is not valid: " + ex.getMessage());
            }
        }
    }
}
