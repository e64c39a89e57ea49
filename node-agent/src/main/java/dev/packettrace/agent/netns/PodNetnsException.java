// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.agent.netns;

/** The process table itself could not be read: nothing can be resolved on this node. */
public class PodNetnsException extends RuntimeException {

    public PodNetnsException(String message, Throwable cause) {
        super(message, cause);
    }
}
