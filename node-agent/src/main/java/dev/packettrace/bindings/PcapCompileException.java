// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.bindings;

/** libpcap refused a filter expression; the message is libpcap's own (pcap_geterr). */
public final class PcapCompileException extends RuntimeException {

    private final String expression;
    private final String pcapMessage;

    PcapCompileException(String expression, String pcapMessage) {
        super(pcapMessage);
        this.expression = expression;
        this.pcapMessage = pcapMessage;
    }

    public String expression() {
        return expression;
    }

    /** What pcap_geterr said, e.g. "can't parse filter expression: syntax error". */
    public String pcapMessage() {
        return pcapMessage;
    }
}
