// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.api.validation;

import dev.packettrace.api.v1alpha1.FilterSpec;
import dev.packettrace.api.v1alpha1.OutputSpec;
import dev.packettrace.api.v1alpha1.PacketTraceSpec;
import dev.packettrace.api.v1alpha1.SinkSpec;
import dev.packettrace.api.v1alpha1.TargetSpec;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a PacketTrace spec in Java with the same rules as the CRD's OpenAPI schema and CEL rules.
 * The API server enforces those for real; this exists because an object can still reach the operator
 * unchecked (a test's mock API server runs no CEL, an older CRD may be installed), and a bad spec must
 * end as a Failed trace with a message naming the field, never as an exception in the operator.
 */
public final class PacketTraceSpecValidator {

    public static final Duration MIN_DURATION = Duration.ofSeconds(1);
    public static final Duration MAX_DURATION = Duration.ofHours(24);
    static final Set<String> BACKENDS = Set.of("auto", "tracepoint");
    static final Set<String> PROTOCOLS = Set.of("tcp", "udp", "icmp", "icmp6");
    private static final Set<String> SELECTOR_OPERATORS = Set.of("In", "NotIn", "Exists", "DoesNotExist");
    private static final Pattern DNS_SUBDOMAIN =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern LABEL_NAME = Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)");
    private static final Pattern LABEL_VALUE = Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");
    private static final Pattern HOST_PATH = Pattern.compile(SinkSpec.HOST_PATH_PATTERN);

    private PacketTraceSpecValidator() {}

    public static SpecValidation validate(PacketTraceSpec spec) {
        List<FieldError> errors = new ArrayList<>();
        if (spec == null) {
            return new SpecValidation.Invalid(List.of(new FieldError("spec", "is required")));
        }
        TraceRequest.Targets targets = targets(spec.targets(), errors);
        TraceRequest.Filter filter = filter(spec.filter() == null ? FilterSpec.none() : spec.filter(), errors);
        TraceRequest.Output output = output(spec.output() == null ? OutputSpec.defaults() : spec.output(), errors);
        Duration duration = duration(spec.duration(), errors);
        String backend = spec.backend() == null ? PacketTraceSpec.DEFAULT_BACKEND : spec.backend();
        if (!BACKENDS.contains(backend)) {
            errors.add(new FieldError("spec.backend", "'" + backend + "' is not one of auto, tracepoint"));
        }
        TraceRequest.Sink sink = sink(spec.sink() == null ? SinkSpec.stdout() : spec.sink(), errors);
        if (!errors.isEmpty()) {
            return new SpecValidation.Invalid(errors);
        }
        return new SpecValidation.Valid(new TraceRequest(targets, filter, output, duration, backend, sink));
    }

    private static TraceRequest.Targets targets(TargetSpec t, List<FieldError> errors) {
        if (t == null) {
            errors.add(new FieldError("spec.targets", "is required: give podSelector or podNames"));
            return new TraceRequest.Targets(Optional.empty(), List.of());
        }
        if (t.podSelector() == null && t.podNames().isEmpty()) {
            errors.add(new FieldError("spec.targets", "needs a podSelector or at least one pod name"));
        }
        if (t.podNames().size() > TargetSpec.MAX_POD_NAMES) {
            errors.add(new FieldError(
                    "spec.targets.podNames",
                    t.podNames().size() + " names given, at most " + TargetSpec.MAX_POD_NAMES
                            + " allowed; use a podSelector"));
        }
        for (int i = 0; i < t.podNames().size(); i++) {
            String name = t.podNames().get(i);
            String path = "spec.targets.podNames[" + i + "]";
            if (name == null || name.isEmpty()) {
                errors.add(new FieldError(path, "is empty"));
            } else if (name.contains("/")) {
                errors.add(new FieldError(
                        path,
                        "'" + name + "' names a pod in another namespace; a PacketTrace can only "
                                + "target pods in its own namespace, so create it in that namespace"));
            } else if (name.length() > 253 || !DNS_SUBDOMAIN.matcher(name).matches()) {
                errors.add(new FieldError(path, "'" + name + "' is not a valid pod name"));
            }
        }
        if (t.podSelector() != null) {
            selector(t.podSelector(), errors);
        }
        return new TraceRequest.Targets(Optional.ofNullable(t.podSelector()), t.podNames());
    }

    private static void selector(LabelSelector s, List<FieldError> errors) {
        String base = "spec.targets.podSelector";
        Map<String, String> labels = s.getMatchLabels() == null ? Map.of() : s.getMatchLabels();
        List<LabelSelectorRequirement> exprs = s.getMatchExpressions() == null ? List.of() : s.getMatchExpressions();
        if (labels.isEmpty() && exprs.isEmpty()) {
            errors.add(new FieldError(
                    base,
                    "is empty and would select every pod in the namespace; give matchLabels or matchExpressions"));
        }
        labels.forEach((k, v) -> {
            labelKey(base + ".matchLabels", k, errors);
            labelValue(base + ".matchLabels[" + k + "]", v, errors);
        });
        for (int i = 0; i < exprs.size(); i++) {
            LabelSelectorRequirement r = exprs.get(i);
            String path = base + ".matchExpressions[" + i + "]";
            labelKey(path + ".key", r.getKey(), errors);
            List<String> values = r.getValues() == null ? List.of() : r.getValues();
            String op = r.getOperator();
            if (op == null || !SELECTOR_OPERATORS.contains(op)) {
                errors.add(new FieldError(
                        path + ".operator", "'" + op + "' is not one of In, NotIn, Exists, DoesNotExist"));
            } else if ((op.equals("In") || op.equals("NotIn")) && values.isEmpty()) {
                errors.add(new FieldError(path + ".values", "must not be empty for operator " + op));
            } else if ((op.equals("Exists") || op.equals("DoesNotExist")) && !values.isEmpty()) {
                errors.add(new FieldError(path + ".values", "must be empty for operator " + op));
            }
            for (int j = 0; j < values.size(); j++) {
                labelValue(path + ".values[" + j + "]", values.get(j), errors);
            }
        }
    }

    private static void labelKey(String path, String key, List<FieldError> errors) {
        if (key == null || key.isEmpty()) {
            errors.add(new FieldError(path, "label key is empty"));
            return;
        }
        int slash = key.lastIndexOf('/');
        String prefix = slash < 0 ? "" : key.substring(0, slash);
        String name = key.substring(slash + 1);
        boolean prefixOk = slash < 0
                || (prefix.length() <= 253 && DNS_SUBDOMAIN.matcher(prefix).matches());
        if (!prefixOk
                || name.isEmpty()
                || name.length() > 63
                || !LABEL_NAME.matcher(name).matches()) {
            errors.add(new FieldError(path, "'" + key + "' is not a valid label key"));
        }
    }

    private static void labelValue(String path, String value, List<FieldError> errors) {
        if (value == null || value.length() > 63 || !LABEL_VALUE.matcher(value).matches()) {
            errors.add(new FieldError(
                    path,
                    "'" + value
                            + "' is not a valid label value (at most 63 characters: letters, digits, '-', '_', '.')"));
        }
    }

    private static TraceRequest.Filter filter(FilterSpec f, List<FieldError> errors) {
        Optional<String> srcIp = ip("spec.filter.srcIp", f.srcIp(), errors);
        Optional<String> dstIp = ip("spec.filter.dstIp", f.dstIp(), errors);
        OptionalInt srcPort = port("spec.filter.srcPort", f.srcPort(), errors);
        OptionalInt dstPort = port("spec.filter.dstPort", f.dstPort(), errors);
        Optional<String> proto = Optional.ofNullable(f.proto());
        if (proto.isPresent() && !PROTOCOLS.contains(proto.get())) {
            errors.add(
                    new FieldError("spec.filter.proto", "'" + proto.get() + "' is not one of tcp, udp, icmp, icmp6"));
        } else if (proto.isPresent()
                && (f.srcPort() != null || f.dstPort() != null)
                && !(proto.get().equals("tcp") || proto.get().equals("udp"))) {
            errors.add(new FieldError(
                    "spec.filter.proto",
                    "ports only apply to tcp or udp, not " + proto.get()
                            + "; drop srcPort/dstPort or set proto to tcp or udp"));
        }
        OptionalLong mark = OptionalLong.empty();
        if (f.mark() != null) {
            if (f.mark() < 0 || f.mark() > 0xffff_ffffL) {
                errors.add(new FieldError(
                        "spec.filter.mark", f.mark() + " is not a 32-bit unsigned value (0..4294967295)"));
            } else {
                mark = OptionalLong.of(f.mark());
            }
        }
        Optional<String> ifname = Optional.ofNullable(f.ifname());
        if (ifname.isPresent()) {
            String n = ifname.get();
            if (n.isEmpty() || n.length() > 15 || n.contains("/") || n.chars().anyMatch(Character::isWhitespace)) {
                errors.add(new FieldError(
                        "spec.filter.ifname", "'" + n + "' must be 1 to 15 characters without '/' or spaces"));
            }
        }
        Optional<String> expression = Optional.ofNullable(f.expression());
        expression.ifPresent(e -> {
            // the shape only: libpcap, which owns the syntax, compiles it on the node, and a trace it refuses ends
            // Failed with libpcap's message under the same field
            if (e.isBlank()) {
                errors.add(new FieldError("spec.filter.expression", "is empty; leave it out to match every packet"));
            } else if (e.length() > FilterSpec.MAX_EXPRESSION_LENGTH) {
                errors.add(new FieldError(
                        "spec.filter.expression",
                        "is " + e.length() + " characters long, at most " + FilterSpec.MAX_EXPRESSION_LENGTH));
            } else if (e.chars().anyMatch(c -> c < 0x20 && c != '\t' && c != '\n' || c == 0x7f)) {
                errors.add(new FieldError("spec.filter.expression", "contains control characters"));
            }
        });
        return new TraceRequest.Filter(mark, ifname, srcIp, dstIp, srcPort, dstPort, proto, f.trackSkb(), expression);
    }

    private static Optional<String> ip(String path, String text, List<FieldError> errors) {
        if (text == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(IpLiteral.normalize(text));
        } catch (IllegalArgumentException e) {
            errors.add(new FieldError(path, e.getMessage()));
            return Optional.empty();
        }
    }

    private static OptionalInt port(String path, Integer port, List<FieldError> errors) {
        if (port == null) {
            return OptionalInt.empty();
        }
        if (port < 1 || port > 65535) {
            errors.add(new FieldError(path, port + " is outside 1..65535"));
            return OptionalInt.empty();
        }
        return OptionalInt.of(port);
    }

    private static TraceRequest.Output output(OutputSpec o, List<FieldError> errors) {
        long maxEvents = o.maxEvents() == null ? OutputSpec.DEFAULT_MAX_EVENTS : o.maxEvents();
        if (maxEvents < 1 || maxEvents > OutputSpec.MAX_EVENTS_LIMIT) {
            errors.add(new FieldError(
                    "spec.output.maxEvents", maxEvents + " is outside 1.." + OutputSpec.MAX_EVENTS_LIMIT));
        }
        int recent = o.recentEvents() == null ? OutputSpec.DEFAULT_RECENT_EVENTS : o.recentEvents();
        if (recent < 0 || recent > OutputSpec.MAX_RECENT_EVENTS) {
            errors.add(new FieldError(
                    "spec.output.recentEvents", recent + " is outside 0.." + OutputSpec.MAX_RECENT_EVENTS));
        }
        String eventsName = o.events() == null ? OutputSpec.DEFAULT_EVENTS : o.events();
        TraceRequest.Events events = TraceRequest.Events.ofSpecName(eventsName).orElseGet(() -> {
            errors.add(new FieldError("spec.output.events", "'" + eventsName + "' is not one of all, drops, none"));
            return TraceRequest.Events.ALL;
        });
        return new TraceRequest.Output(
                o.tuple() == null || o.tuple(),
                o.meta() != null && o.meta(),
                o.stack() != null && o.stack(),
                maxEvents,
                recent,
                o.packetContent() != null && o.packetContent(),
                events);
    }

    private static Duration duration(String text, List<FieldError> errors) {
        String t = text == null ? PacketTraceSpec.DEFAULT_DURATION : text;
        Duration d;
        try {
            d = DurationText.parse(t);
        } catch (IllegalArgumentException e) {
            errors.add(new FieldError("spec.duration", e.getMessage()));
            return MIN_DURATION;
        }
        if (d.compareTo(MIN_DURATION) < 0 || d.compareTo(MAX_DURATION) > 0) {
            errors.add(new FieldError("spec.duration", "'" + t + "' is outside 1s..24h"));
        }
        return d;
    }

    private static TraceRequest.Sink sink(SinkSpec s, List<FieldError> errors) {
        String type = s.type() == null ? SinkSpec.TYPE_STDOUT : s.type();
        switch (type) {
            case SinkSpec.TYPE_STDOUT -> {
                if (s.path() != null) {
                    errors.add(new FieldError("spec.sink.path", "only applies when spec.sink.type is hostPath"));
                }
                return new TraceRequest.Sink.Stdout();
            }
            case SinkSpec.TYPE_HOST_PATH -> {
                if (s.path() == null) {
                    errors.add(new FieldError("spec.sink.path", "is required when spec.sink.type is hostPath"));
                    return new TraceRequest.Sink.Stdout();
                }
                String p = s.path();
                boolean dotSegment =
                        List.of(p.split("/")).stream().anyMatch(seg -> seg.equals(".") || seg.equals(".."));
                if (!HOST_PATH.matcher(p).matches() || dotSegment) {
                    errors.add(new FieldError(
                            "spec.sink.path",
                            "'" + p + "' must be a directory below " + SinkSpec.HOST_PATH_ROOT
                                    + " without . or .. segments (the only host path the agent mounts)"));
                }
                return new TraceRequest.Sink.HostPath(
                        p.endsWith("/") && p.length() > 1 ? p.substring(0, p.length() - 1) : p);
            }
            default -> {
                errors.add(new FieldError("spec.sink.type", "'" + type + "' is not one of stdout, hostPath"));
                return new TraceRequest.Sink.Stdout();
            }
        }
    }
}
