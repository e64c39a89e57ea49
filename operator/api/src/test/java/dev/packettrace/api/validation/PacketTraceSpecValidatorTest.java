// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.api.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packettrace.api.v1alpha1.FilterSpec;
import dev.packettrace.api.v1alpha1.OutputSpec;
import dev.packettrace.api.v1alpha1.PacketTraceSpec;
import dev.packettrace.api.v1alpha1.SinkSpec;
import dev.packettrace.api.v1alpha1.TargetSpec;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

public class PacketTraceSpecValidatorTest {

    static final LabelSelector APP =
            new LabelSelectorBuilder().withMatchLabels(Map.of("app", "web")).build();
    static final TargetSpec TARGETS = new TargetSpec(APP, List.of());

    static PacketTraceSpec spec(
            TargetSpec t, FilterSpec f, OutputSpec o, String duration, String backend, SinkSpec sink) {
        return new PacketTraceSpec(t, f, o, duration, backend, sink);
    }

    static FilterSpec filter(
            String srcIp, String dstIp, Integer sport, Integer dport, String proto, Long mark, String ifname) {
        return new FilterSpec(srcIp, dstIp, sport, dport, proto, mark, ifname, false);
    }

    @Test
    void minimalSpecGetsEveryDefault() {
        var v = assertInstanceOf(
                SpecValidation.Valid.class,
                PacketTraceSpecValidator.validate(
                        spec(new TargetSpec(null, List.of("web-0")), null, null, null, null, null)));
        TraceRequest r = v.request();
        assertEquals(Duration.ofMinutes(5), r.duration());
        assertEquals("tracepoint", r.backend(), "function probes only when asked for");
        assertEquals(new TraceRequest.Output(true, false, false, 10_000, 10, false), r.output());
        assertInstanceOf(TraceRequest.Sink.Stdout.class, r.sink());
        assertTrue(r.filter().srcIp().isEmpty()
                && r.filter().dstPort().isEmpty()
                && !r.filter().trackSkb());
        assertEquals(List.of("web-0"), r.targets().podNames());
    }

    @Test
    void packetContentIsCarriedAsAskedAndOffWhenAbsent() {
        var asked = assertInstanceOf(
                SpecValidation.Valid.class,
                PacketTraceSpecValidator.validate(
                        spec(TARGETS, null, new OutputSpec(null, null, null, null, null, true), null, null, null)));
        assertTrue(asked.request().output().packetContent());
        var absent = assertInstanceOf(
                SpecValidation.Valid.class,
                PacketTraceSpecValidator.validate(
                        spec(TARGETS, null, new OutputSpec(true, true, null, null, null, null), null, null, null)));
        assertFalse(absent.request().output().packetContent());
    }

    @Test
    void filterIsNormalizedLikeTheTracerCore() {
        var v = assertInstanceOf(
                SpecValidation.Valid.class,
                PacketTraceSpecValidator.validate(spec(
                        TARGETS,
                        new FilterSpec("10.1.2.3/8", "fd00::1", null, 8080, "tcp", 7L, "eth0", true),
                        null,
                        "1h30m",
                        "tracepoint",
                        new SinkSpec("hostPath", "/var/log/packettrace/incident-42"))));
        TraceRequest r = v.request();
        assertEquals("10.0.0.0/8", r.filter().srcIp().orElseThrow());
        assertEquals("fd00:0:0:0:0:0:0:1/128", r.filter().dstIp().orElseThrow());
        assertEquals(8080, r.filter().dstPort().getAsInt());
        assertEquals(7L, r.filter().mark().getAsLong());
        assertTrue(r.filter().trackSkb());
        assertEquals(Duration.ofMinutes(90), r.duration());
        assertEquals(new TraceRequest.Sink.HostPath("/var/log/packettrace/incident-42"), r.sink());
    }

    /** Label, spec, the field an error must name, a fragment of its message; also sent to a real API server. */
    public static Stream<Arguments> invalidSpecs() {
        return Stream.of(
                Arguments.of("no targets", spec(null, null, null, null, null, null), "spec.targets", "is required"),
                Arguments.of(
                        "neither selector nor names",
                        spec(new TargetSpec(null, List.of()), null, null, null, null, null),
                        "spec.targets",
                        "podSelector or at least one pod name"),
                Arguments.of(
                        "empty selector",
                        spec(new TargetSpec(new LabelSelector(), List.of()), null, null, null, null, null),
                        "spec.targets.podSelector",
                        "every pod in the namespace"),
                Arguments.of(
                        "cross-namespace pod name",
                        spec(new TargetSpec(null, List.of("kube-system/coredns")), null, null, null, null, null),
                        "spec.targets.podNames[0]",
                        "another namespace"),
                Arguments.of(
                        "bad pod name",
                        spec(new TargetSpec(null, List.of("Web_0")), null, null, null, null, null),
                        "spec.targets.podNames[0]",
                        "not a valid pod name"),
                Arguments.of(
                        "bad selector operator",
                        spec(
                                new TargetSpec(
                                        new LabelSelectorBuilder()
                                                .addNewMatchExpression()
                                                .withKey("app")
                                                .withOperator("Like")
                                                .withValues("x")
                                                .endMatchExpression()
                                                .build(),
                                        List.of()),
                                null,
                                null,
                                null,
                                null,
                                null),
                        "spec.targets.podSelector.matchExpressions[0].operator",
                        "'Like'"),
                Arguments.of(
                        "bad label value",
                        spec(
                                new TargetSpec(
                                        new LabelSelectorBuilder()
                                                .withMatchLabels(Map.of("app", "a b"))
                                                .build(),
                                        List.of()),
                                null,
                                null,
                                null,
                                null,
                                null),
                        "spec.targets.podSelector.matchLabels[app]",
                        "not a valid label value"),
                Arguments.of(
                        "dst port too high",
                        spec(TARGETS, filter(null, null, null, 70000, null, null, null), null, null, null, null),
                        "spec.filter.dstPort",
                        "70000 is outside 1..65535"),
                Arguments.of(
                        "src port zero",
                        spec(TARGETS, filter(null, null, 0, null, null, null, null), null, null, null, null),
                        "spec.filter.srcPort",
                        "0 is outside 1..65535"),
                Arguments.of(
                        "host name as ip",
                        spec(
                                TARGETS,
                                filter("db.internal", null, null, null, null, null, null),
                                null,
                                null,
                                null,
                                null),
                        "spec.filter.srcIp",
                        "not an IPv4 or IPv6 address"),
                Arguments.of(
                        "octet above 255",
                        spec(TARGETS, filter(null, "10.0.0.256", null, null, null, null, null), null, null, null, null),
                        "spec.filter.dstIp",
                        "octet 256"),
                Arguments.of(
                        "prefix too long",
                        spec(
                                TARGETS,
                                filter("10.0.0.0/33", null, null, null, null, null, null),
                                null,
                                null,
                                null,
                                null),
                        "spec.filter.srcIp",
                        "prefix length 33"),
                Arguments.of(
                        "unknown protocol",
                        spec(TARGETS, filter(null, null, null, null, "sctp", null, null), null, null, null, null),
                        "spec.filter.proto",
                        "'sctp'"),
                Arguments.of(
                        "ports with icmp",
                        spec(TARGETS, filter(null, null, null, 53, "icmp", null, null), null, null, null, null),
                        "spec.filter.proto",
                        "ports only apply to tcp or udp"),
                Arguments.of(
                        "mark above 32 bits",
                        spec(TARGETS, filter(null, null, null, null, null, 1L << 32, null), null, null, null, null),
                        "spec.filter.mark",
                        "32-bit"),
                Arguments.of(
                        "interface name too long",
                        spec(
                                TARGETS,
                                filter(null, null, null, null, null, null, "averyveryverylongname"),
                                null,
                                null,
                                null,
                                null),
                        "spec.filter.ifname",
                        "1 to 15 characters"),
                Arguments.of(
                        "blank expression",
                        spec(
                                TARGETS,
                                new FilterSpec(null, null, null, null, null, null, null, false, "  "),
                                null,
                                null,
                                null,
                                null),
                        "spec.filter.expression",
                        "is empty"),
                Arguments.of(
                        "expression too long",
                        spec(
                                TARGETS,
                                new FilterSpec(
                                        null, null, null, null, null, null, null, false, "tcp or ".repeat(150) + "tcp"),
                                null,
                                null,
                                null,
                                null),
                        "spec.filter.expression",
                        "at most 1024"),
                Arguments.of(
                        "maxEvents zero",
                        spec(TARGETS, null, new OutputSpec(null, null, null, 0L, null, null), null, null, null),
                        "spec.output.maxEvents",
                        "0 is outside"),
                Arguments.of(
                        "too many recent events",
                        spec(TARGETS, null, new OutputSpec(null, null, null, null, 500, null), null, null, null),
                        "spec.output.recentEvents",
                        "500 is outside 0..25"),
                Arguments.of(
                        "unknown choice of events",
                        spec(
                                TARGETS,
                                null,
                                new OutputSpec(null, null, null, null, null, null, "some"),
                                null,
                                null,
                                null),
                        "spec.output.events",
                        "'some' is not one of all, drops, none"),
                Arguments.of(
                        "duration syntax",
                        spec(TARGETS, null, null, "ten minutes", null, null),
                        "spec.duration",
                        "not a duration"),
                Arguments.of(
                        "duration too long",
                        spec(TARGETS, null, null, "25h", null, null),
                        "spec.duration",
                        "outside 1s..24h"),
                Arguments.of(
                        "duration zero",
                        spec(TARGETS, null, null, "0s", null, null),
                        "spec.duration",
                        "outside 1s..24h"),
                Arguments.of(
                        "unknown backend", spec(TARGETS, null, null, null, "kprobe", null), "spec.backend", "'kprobe'"),
                Arguments.of(
                        "unknown sink",
                        spec(TARGETS, null, null, null, null, new SinkSpec("s3", null)),
                        "spec.sink.type",
                        "'s3'"),
                Arguments.of(
                        "hostPath without path",
                        spec(TARGETS, null, null, null, null, new SinkSpec("hostPath", null)),
                        "spec.sink.path",
                        "is required"),
                Arguments.of(
                        "hostPath outside root",
                        spec(TARGETS, null, null, null, null, new SinkSpec("hostPath", "/etc")),
                        "spec.sink.path",
                        "below /var/log/packettrace"),
                Arguments.of(
                        "hostPath escaping root",
                        spec(
                                TARGETS,
                                null,
                                null,
                                null,
                                null,
                                new SinkSpec("hostPath", "/var/log/packettrace/../../etc")),
                        "spec.sink.path",
                        "without . or .. segments"),
                Arguments.of(
                        "path with stdout",
                        spec(TARGETS, null, null, null, null, new SinkSpec("stdout", "/var/log/packettrace")),
                        "spec.sink.path",
                        "only applies"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidSpecs")
    void invalidSpecNamesTheField(String label, PacketTraceSpec spec, String path, String fragment) {
        var invalid = assertInstanceOf(SpecValidation.Invalid.class, PacketTraceSpecValidator.validate(spec), label);
        assertTrue(
                invalid.errors().stream()
                        .anyMatch(e -> e.path().equals(path) && e.message().contains(fragment)),
                label + ": expected an error at " + path + " containing '" + fragment + "', got " + invalid.errors());
        assertTrue(invalid.message().startsWith("spec"), invalid.message());
    }

    @Test
    void everyErrorIsReportedNotJustTheFirst() {
        var invalid = assertInstanceOf(
                SpecValidation.Invalid.class,
                PacketTraceSpecValidator.validate(
                        spec(TARGETS, filter(null, null, 0, 70000, null, null, null), null, "48h", null, null)));
        assertEquals(
                List.of("spec.filter.srcPort", "spec.filter.dstPort", "spec.duration"),
                invalid.errors().stream().map(FieldError::path).toList());
        assertEquals(
                "spec.filter.dstPort: 70000 is outside 1..65535",
                invalid.errors().get(1).toString());
    }

    @Test
    void durationsRoundTrip() {
        assertEquals(Duration.ofSeconds(90), DurationText.parse("90s"));
        assertEquals("1m30s", DurationText.format(Duration.ofSeconds(90)));
        assertEquals("1h", DurationText.format(Duration.ofHours(1)));
        assertEquals("2h0m5s".replace("0m", ""), DurationText.format(Duration.ofSeconds(7205)));
    }
}
