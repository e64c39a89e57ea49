// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.cli;

import dev.packettrace.agent.NodeAgent;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * {@code packettrace agent}: the node agent in cluster mode, as the operator's DaemonSet runs it. It takes no
 * flags: everything comes from the environment the DaemonSet sets (NODE_NAME from the downward API, the
 * PACKETTRACE_* settings of {@link dev.packettrace.agent.AgentConfig}).
 */
@Command(
        name = "agent",
        mixinStandardHelpOptions = true,
        description = {
            "Runs the node agent of a Kubernetes cluster (started by the operator's DaemonSet).",
            "Watches PacketTraces, traces the target pods on this node, writes events as JSON lines to the sink",
            "and results into PacketTraceReports. Configured by NODE_NAME and PACKETTRACE_* environment variables."
        })
public final class AgentCommand implements Callable<Integer> {

    private final CliContext context;

    public AgentCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        return NodeAgent.run(System.getenv(), context.out(), context.err());
    }
}
