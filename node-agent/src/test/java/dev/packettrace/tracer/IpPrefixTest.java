// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.packettrace.api.v1alpha1.FilterSpec;
import dev.packettrace.api.v1alpha1.PacketTraceSpec;
import dev.packettrace.api.v1alpha1.TargetSpec;
import dev.packettrace.api.validation.FieldError;
import dev.packettrace.api.validation.PacketTraceSpecValidator;
import dev.packettrace.api.validation.SpecValidation;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The CLI (through IpPrefix) and the PacketTrace validator must agree on every address: a spec the operator
 * accepts has to load on the node, and a value the CLI refuses should be refused in a spec with the same words.
 */
class IpPrefixTest {

    @ParameterizedTest
    @ValueSource(
            strings = {"10.0.0.7", " 10.1.2.3/8 ", "0.0.0.0/0", "fd00::1", "FD00::1:2/64", "::/0", "::ffff:10.0.0.1"})
    void acceptsWhatTheValidatorAcceptsAndNormalizesAlike(String text) {
        var valid = assertInstanceOf(SpecValidation.Valid.class, validate(text));
        assertEquals(
                valid.request().filter().srcIp().orElseThrow(),
                IpPrefix.parse(text).toString());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "example.com",
                "10.0.0.256",
                "10.0.0.0/33",
                "fd00::/129",
                "fd00::/x",
                "10.0.0.0/+8",
                "10.0.0.0/0008",
                "10.0.0.0/-1",
                "10.0.0",
                "fe80::1%eth0",
                ""
            })
    void refusesWhatTheValidatorRefusesWithTheSameMessage(String text) {
        var invalid = assertInstanceOf(SpecValidation.Invalid.class, validate(text));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IpPrefix.parse(text));
        assertEquals(List.of(new FieldError("spec.filter.srcIp", e.getMessage())), invalid.errors());
    }

    private static SpecValidation validate(String srcIp) {
        return PacketTraceSpecValidator.validate(new PacketTraceSpec(
                new TargetSpec(null, List.of("web-0")),
                new FilterSpec(srcIp, null, null, null, null, null, null, false),
                null,
                null,
                null,
                null));
    }
}
