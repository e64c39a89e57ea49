// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.agent;

/** A bad agent setting; the message names the environment variable and says what is wrong. */
public final class AgentConfigException extends RuntimeException {

    public AgentConfigException(String message) {
        super(message);
    }
}
