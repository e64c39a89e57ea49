// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

/**
 * A kernel function that takes an sk_buff among its first five parameters, as the kernel's BTF
 * describes it.
 *
 * @param name       the function's name, as kallsyms and tracefs know it
 * @param skbParam   the position of the first {@code struct sk_buff *} parameter, 1 to 5
 * @param paramCount how many parameters the function has
 */
public record SkbFunction(String name, int skbParam, int paramCount) {

    /** pwru's limit, and the registers every architecture passes arguments in. */
    public static final int MAX_SKB_PARAM = 5;

    public SkbFunction {
        if (name.isEmpty()) {
            throw new IllegalArgumentException("function name is empty");
        }
        if (skbParam < 1 || skbParam > MAX_SKB_PARAM || skbParam > paramCount) {
            throw new IllegalArgumentException(
                    name + ": sk_buff parameter " + skbParam + " of " + paramCount + " is outside 1.." + MAX_SKB_PARAM);
        }
    }
}
