// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.util.Objects;
import java.util.Optional;

/**
 * --filter-func: which of the discovered functions to probe. pwru's meaning: the expression must match
 * the whole function name (so a plain name selects exactly that function), in RE2 syntax, whose matching
 * time is linear in the name's length whatever the expression.
 */
public final class FunctionFilter {

    private static final FunctionFilter ALL = new FunctionFilter(Optional.empty());

    private final Optional<Pattern> pattern;

    private FunctionFilter(Optional<Pattern> pattern) {
        this.pattern = pattern;
    }

    /** Every function. */
    public static FunctionFilter all() {
        return ALL;
    }

    /** @throws IllegalArgumentException naming the syntax error when the expression is not valid RE2 */
    public static FunctionFilter of(String expression) {
        Objects.requireNonNull(expression, "expression");
        if (expression.isEmpty()) {
            throw new IllegalArgumentException("the function filter is empty");
        }
        try {
            return new FunctionFilter(Optional.of(Pattern.compile(expression)));
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(
                    "'" + expression + "' is not a valid RE2 regular expression: " + e.getDescription(), e);
        }
    }

    public boolean matches(String functionName) {
        return pattern.map(p -> p.matcher(functionName).matches()).orElse(true);
    }

    /** The expression, when one was given. */
    public Optional<String> expression() {
        return pattern.map(Pattern::pattern);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FunctionFilter f && f.expression().equals(expression());
    }

    @Override
    public int hashCode() {
        return expression().hashCode();
    }

    @Override
    public String toString() {
        return expression().map(e -> "FunctionFilter[" + e + "]").orElse("FunctionFilter[all]");
    }
}
