// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.api.validation;

import java.util.List;
import java.util.stream.Collectors;

/** The outcome of validating a PacketTrace spec: a usable request, or every error found. */
public sealed interface SpecValidation {

    record Valid(TraceRequest request) implements SpecValidation {}

    record Invalid(List<FieldError> errors) implements SpecValidation {
        public Invalid {
            errors = List.copyOf(errors);
            if (errors.isEmpty()) {
                throw new IllegalArgumentException("an invalid spec needs at least one error");
            }
        }

        /** All errors in one line, for a condition message. */
        public String message() {
            return errors.stream().map(FieldError::toString).collect(Collectors.joining("; "));
        }
    }
}
