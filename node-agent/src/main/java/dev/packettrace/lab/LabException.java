// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.lab;

/** Building, using or tearing down a network lab failed; the message names the object and the reason. */
public class LabException extends RuntimeException {

    public LabException(String message) {
        super(message);
    }

    public LabException(String message, Throwable cause) {
        super(message, cause);
    }
}
