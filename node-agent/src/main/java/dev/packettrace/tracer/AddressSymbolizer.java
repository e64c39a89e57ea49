// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import java.util.Optional;

/** Turns a kernel text address into "function+0xoffset". */
@FunctionalInterface
public interface AddressSymbolizer {

    Optional<String> symbolize(long address);

    /** For when symbols cannot be read: addresses are shown as hex. */
    static AddressSymbolizer none() {
        return address -> Optional.empty();
    }
}
