// SPDX-License-Identifier: Apache-2.0
/**
 * Typed Java bindings over the few libbpf (libbpf.so.1) and libc calls packettrace uses, through the
 * FFM API. This package is the only one that touches MemorySegment, MethodHandle, Arena or Linker:
 * everything it hands out is a Java value or an AutoCloseable that owns one kernel object.
 *
 * <p>libbpf runs in its 1.0 mode: int-returning calls return {@code -errno}, pointer-returning calls
 * return NULL and set errno, which is captured right after the call.
 *
 * <p>The FFM API's restricted methods (downcall and upcall handles, library lookups, reinterpret) are called
 * only here. The classes that call them say so with {@code @SuppressWarnings("restricted")}; the build compiles
 * with {@code -Xlint:all -Werror}, so a restricted call anywhere else fails it.
 */
package dev.packettrace.bindings;
