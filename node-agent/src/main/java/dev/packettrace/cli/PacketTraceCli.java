// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.cli;

import dev.packettrace.bindings.LinkerWarmup;
import dev.packettrace.tracer.TracerException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code packettrace}: the local command line. Exit codes: 0 success, 1 runtime failure (the tracer's message as
 * is, no stack trace), 2 bad usage or a bad value (the message names the flag, the value and why).
 *
 * <p>To add a subcommand, add its class to {@code subcommands} below. It gets the {@link CliContext} if it has a
 * public constructor taking one, otherwise its no-argument constructor is used.
 */
@Command(
        name = "packettrace",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Where is my packet, and why was it dropped? Traces sk_buffs through the kernel with eBPF.",
        subcommands = {
            CommandLine.HelpCommand.class,
            TraceCommand.class,
            DemoCommand.class,
            AgentCommand.class,
        })
public final class PacketTraceCli implements Callable<Integer> {

    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_USAGE = 2;

    @Spec
    private CommandSpec spec;

    public static void main(String[] args) {
        // the FFM machinery's first handles take ~100 ms to generate: done while picocli parses the flags
        LinkerWarmup.startInBackground();
        // one line per log record: time, level, logger, message (java.util.logging's default takes two)
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tLZ %4$s %3$s %5$s%6$s%n");
        }
        System.exit(execute(CliContext.system(), args));
    }

    /** Runs the command line in this process and returns its exit code; nothing calls System.exit. */
    public static int execute(CliContext context, String... args) {
        CommandLine cl = commandLine(context);
        PrintWriter out = cl.getOut();
        PrintWriter err = cl.getErr();
        try {
            return cl.execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    static CommandLine commandLine(CliContext context) {
        CommandLine cl = new CommandLine(new PacketTraceCli(), new ContextFactory(context));
        cl.setOut(new PrintWriter(new OutputStreamWriter(context.out(), StandardCharsets.UTF_8), true));
        cl.setErr(new PrintWriter(new OutputStreamWriter(context.err(), StandardCharsets.UTF_8), true));
        cl.setParameterExceptionHandler(PacketTraceCli::usageError);
        cl.setExecutionExceptionHandler((ex, command, parseResult) -> runtimeError(ex, command));
        return cl;
    }

    /** Without a subcommand there is nothing to do: say which ones exist. */
    @Override
    public Integer call() {
        throw new ParameterException(
                spec.commandLine(),
                "Missing subcommand; choose one of: "
                        + String.join(", ", spec.subcommands().keySet()));
    }

    private static int usageError(ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        PrintWriter err = cl.getErr();
        err.println(ex.getMessage());
        err.println("Try '" + cl.getCommandSpec().qualifiedName() + " --help' for more information.");
        err.flush();
        return EXIT_USAGE;
    }

    private static int runtimeError(Exception ex, CommandLine command) throws Exception {
        PrintWriter err = command.getErr();
        if (ex instanceof TracerException) {
            err.println(ex.getMessage());
        } else if (ex instanceof UncheckedIOException) {
            err.println("packettrace: " + ex.getMessage());
        } else {
            throw ex; // a bug: let picocli print the stack trace
        }
        err.flush();
        return EXIT_FAILURE;
    }

    /** Gives subcommands the context through a (CliContext) constructor when they have one. */
    private record ContextFactory(CliContext context) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> cls) throws Exception {
            Constructor<K> withContext;
            try {
                withContext = cls.getDeclaredConstructor(CliContext.class);
            } catch (NoSuchMethodException e) {
                return CommandLine.defaultFactory().create(cls);
            }
            return withContext.newInstance(context);
        }
    }
}
