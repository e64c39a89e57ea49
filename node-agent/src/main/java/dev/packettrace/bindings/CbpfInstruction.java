// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.bindings;

/**
 * One classic BPF instruction ({@code struct bpf_insn} of libpcap, {@code struct sock_filter} of the
 * kernel): an opcode, two jump offsets for conditional jumps, and a 32-bit constant.
 *
 * @param code the opcode (class, size, mode or operation, source), 16 bits
 * @param jt   forward jump when the condition holds, 0..255
 * @param jf   forward jump when it does not, 0..255
 * @param k    the constant, as its 32 bits
 */
public record CbpfInstruction(int code, int jt, int jf, int k) {

    public CbpfInstruction {
        if (code < 0 || code > 0xffff || jt < 0 || jt > 0xff || jf < 0 || jf > 0xff) {
            throw new IllegalArgumentException(
                    "not a classic BPF instruction: code " + code + " jt " + jt + " jf " + jf);
        }
    }

    /** {@code ret #k}. */
    public static CbpfInstruction ret(int k) {
        return new CbpfInstruction(0x06, 0, 0, k);
    }

    @Override
    public String toString() {
        return String.format("{ 0x%02x, %d, %d, 0x%08x }", code, jt, jf, k);
    }
}
