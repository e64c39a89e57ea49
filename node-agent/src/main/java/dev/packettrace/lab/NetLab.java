// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.lab;

import java.io.File;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A throwaway network lab built from real kernel objects: network namespaces joined by veth pairs, with
 * addresses, firewall rules and helper processes, plus ways to send traffic between them.
 *
 * <p>Every namespace is named {@code pt-<pid>-<hex>-<role>} after the process that owns the lab, so that
 * {@link #reapStale()} can remove labs whose owner died. Everything the lab creates lives inside its own
 * namespaces: veths, addresses and rules disappear with them, and {@link #close()} deletes them all. All
 * commands run from argument lists, never through a shell.
 */
public final class NetLab implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(NetLab.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Set<String> IDS_IN_USE = ConcurrentHashMap.newKeySet();
    private static final Pattern IFNAME = Pattern.compile("[A-Za-z0-9_.-]{1,15}");
    private static final Pattern PING_SUMMARY = Pattern.compile("(\\d+) packets transmitted, (\\d+) received");
    private static final Duration LISTEN_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration PING_INTERVAL = Duration.ofMillis(200);
    private static final int MAX_UDP_PAYLOAD = 1024;

    private final String id;
    /** Names are recorded before {@code ip netns add} runs, so a half-finished add is still cleaned up. */
    private final List<String> createdNames = new ArrayList<>();

    private final Map<String, LabNamespace> namespaces = new ConcurrentHashMap<>();
    private final List<LabProcess> processes = new CopyOnWriteArrayList<>();
    private final Map<String, Integer> rulesPerChain = new HashMap<>();
    private final Thread shutdownHook;
    private volatile boolean closed;

    private NetLab(String id) {
        this.id = id;
        this.shutdownHook = Thread.ofPlatform().unstarted(this::closeOnShutdown);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Starts an empty lab owned by this process. Checks that ip, ss, iptables, ip6tables, nc and ping are on
     * PATH first, and fails naming the Debian packages to install when they are not.
     */
    public static NetLab create() {
        LabTools.requireAll();
        long pid = ProcessHandle.current().pid();
        HexFormat hex = HexFormat.of();
        for (int attempt = 0; attempt < 100; attempt++) {
            byte[] b = new byte[2];
            RANDOM.nextBytes(b);
            String id = LabName.labId(pid, hex.formatHex(b));
            if (Netns.list().stream().noneMatch(n -> n.startsWith(id + "-")) && IDS_IN_USE.add(id)) {
                LOG.log(System.Logger.Level.DEBUG, "lab {0}: created", id);
                return new NetLab(id);
            }
        }
        throw new LabException("could not find an unused lab id for pid " + pid + " after 100 attempts");
    }

    /**
     * Deletes every {@code pt-<pid>-...} namespace whose owner pid is no longer alive, first killing any
     * process still inside it. Namespaces of live owners and names not in the lab format are left alone.
     * Tries every stale namespace even when one fails, then throws the first failure.
     *
     * @return the names of the namespaces deleted
     */
    public static List<String> reapStale() {
        return LabReaper.reap();
    }

    /** The lab id, {@code pt-<pid>-<hex>}; every namespace name starts with it. */
    public String id() {
        return id;
    }

    /** Namespaces created so far, in creation order. */
    public synchronized List<LabNamespace> namespaces() {
        return createdNames.stream()
                .map(namespaces::get)
                .filter(Objects::nonNull)
                .toList();
    }

    /**
     * Creates namespace {@code <id>-<role>} with its loopback up.
     *
     * @param role 1-16 characters of [a-z0-9], starting with a letter, unique within the lab
     */
    public synchronized LabNamespace addNamespace(String role) {
        requireOpen();
        if (!LabName.ROLE.matcher(role).matches()) {
            throw new IllegalArgumentException(
                    "namespace role '" + role + "' must be 1-16 characters of [a-z0-9] starting with a letter");
        }
        String name = id + "-" + role;
        if (createdNames.contains(name)) {
            throw new IllegalArgumentException("lab " + id + " already has a namespace with role '" + role + "'");
        }
        createdNames.add(name);
        Netns.add(name);
        LabNamespace ns = new LabNamespace(name, Netns.inode(name));
        namespaces.put(name, ns);
        ip(ns, "link", "set", "lo", "up");
        LOG.log(System.Logger.Level.DEBUG, "lab {0}: namespace {1} inode {2}", id, name, Long.toString(ns.inode()));
        return ns;
    }

    /**
     * Creates a veth pair with end {@code nameA} in {@code a} and {@code nameB} in {@code b}, and brings both
     * ends up. The pair is created inside {@code a}, so its names never touch the host's interface namespace.
     */
    public synchronized VethPair addVeth(LabNamespace a, String nameA, LabNamespace b, String nameB) {
        requireOpen();
        requireOwned(a);
        requireOwned(b);
        checkIfName(nameA);
        checkIfName(nameB);
        if (a.equals(b)) {
            throw new IllegalArgumentException("veth ends must be in two different namespaces, both are " + a.name());
        }
        ip(a, "link", "add", nameA, "type", "veth", "peer", "name", nameB, "netns", b.name());
        ip(a, "link", "set", nameA, "up");
        ip(b, "link", "set", nameB, "up");
        LOG.log(System.Logger.Level.DEBUG, "lab {0}: veth {1}:{2} <-> {3}:{4}", id, a.name(), nameA, b.name(), nameB);
        return new VethPair(a, nameA, b, nameB);
    }

    /**
     * Adds an address to an interface. IPv6 addresses are added with {@code nodad}: they are usable at once,
     * instead of staying tentative for about a second while duplicate address detection runs.
     */
    public synchronized void addAddress(LabNamespace ns, String ifName, LabAddress address) {
        requireOpen();
        requireOwned(ns);
        checkIfName(ifName);
        if (address.family() == IpFamily.V6) {
            ip(ns, "addr", "add", address.toString(), "dev", ifName, "nodad");
        } else {
            ip(ns, "addr", "add", address.toString(), "dev", ifName);
        }
        LOG.log(System.Logger.Level.DEBUG, "lab {0}: {1} {2} {3}", id, ns.name(), ifName, address);
    }

    /** Appends a rule to a chain of the namespace's own netfilter tables; it goes away with the namespace. */
    public synchronized InstalledRule addFirewallRule(LabNamespace ns, FirewallRule rule) {
        requireOpen();
        requireOwned(ns);
        List<String> cmd = new ArrayList<>(
                List.of(rule.family().iptablesCommand(), "-w", "5", "-t", rule.table(), "-A", rule.chain()));
        cmd.addAll(rule.arguments());
        exec(ns, cmd, Netns.IP_TIMEOUT).requireSuccess();
        // A new namespace starts with empty built-in chains and only this lab appends to them.
        String key = ns.name() + "/" + rule.family() + "/" + rule.table() + "/" + rule.chain();
        int position = rulesPerChain.merge(key, 1, Integer::sum);
        LOG.log(
                System.Logger.Level.DEBUG,
                "lab {0}: {1} {2} -t {3} -A {4} {5}",
                id,
                ns.name(),
                rule.family().iptablesCommand(),
                rule.table(),
                rule.chain(),
                String.join(" ", rule.arguments()));
        return new InstalledRule(ns, rule, position);
    }

    /** Reads how many packets and bytes a rule has matched so far. */
    public RuleCounters counters(InstalledRule installed) {
        requireOpen();
        requireOwned(installed.namespace());
        FirewallRule rule = installed.rule();
        CommandResult r = exec(
                        installed.namespace(),
                        List.of(
                                rule.family().iptablesCommand(),
                                "-w",
                                "5",
                                "-t",
                                rule.table(),
                                "-L",
                                rule.chain(),
                                Integer.toString(installed.position()),
                                "-v",
                                "-x",
                                "-n"),
                        Netns.IP_TIMEOUT)
                .requireSuccess();
        String[] fields = r.stdout().strip().split("\\s+");
        if (fields.length < 2 || !fields[0].matches("\\d+") || !fields[1].matches("\\d+")) {
            throw new LabException("cannot read counters of rule " + installed.position() + " in "
                    + rule.table() + "/" + rule.chain() + " of "
                    + installed.namespace().name()
                    + " from: " + r.stdout().strip());
        }
        return new RuleCounters(Long.parseLong(fields[0]), Long.parseLong(fields[1]));
    }

    /**
     * Starts a TCP listener ({@code nc -l -k}) in {@code ns} that accepts connections on
     * {@code bindAddress:port} until closed, and returns once the socket is listening. The lab kills it on
     * {@link #close()}.
     */
    public LabProcess listenTcp(LabNamespace ns, InetAddress bindAddress, int port) {
        requireOpen();
        requireOwned(ns);
        FirewallRule.checkPort(port);
        List<String> cmd = List.of(
                "ip",
                "netns",
                "exec",
                ns.name(),
                "nc",
                "-d",
                "-l",
                "-k",
                "-n",
                bindAddress.getHostAddress(),
                Integer.toString(port));
        LabProcess listener = new LabProcess(
                cmd,
                CommandRunner.start(
                        cmd, ProcessBuilder.Redirect.from(new File("/dev/null")), ProcessBuilder.Redirect.DISCARD));
        processes.add(listener);
        // ip netns exec execs nc in place, so the listening socket belongs to the pid we started.
        String owner = "pid=" + listener.pid() + ",";
        try {
            Deadline.await(
                    () -> {
                        if (!listener.isAlive()) {
                            throw new LabException(
                                    "TCP listener in " + ns.name() + " on " + bindAddress.getHostAddress()
                                            + ":" + port + " exited early: " + String.join(" ", cmd) + " (stderr: "
                                            + listener.stderrSoFar().strip() + ")");
                        }
                        return exec(
                                        ns,
                                        List.of("ss", "-H", "-l", "-t", "-n", "-p", "sport", "=", ":" + port),
                                        Netns.IP_TIMEOUT)
                                .requireSuccess()
                                .stdout()
                                .contains(owner);
                    },
                    LISTEN_TIMEOUT,
                    () -> "nc to listen on " + bindAddress.getHostAddress() + ":" + port + " in " + ns.name());
        } catch (RuntimeException e) {
            listener.close();
            throw e;
        }
        LOG.log(
                System.Logger.Level.DEBUG,
                "lab {0}: {1} listening on tcp {2}:{3} pid {4}",
                id,
                ns.name(),
                bindAddress.getHostAddress(),
                Integer.toString(port),
                Long.toString(listener.pid()));
        return listener;
    }

    /**
     * Attempts a TCP connection from {@code from} and closes it at once.
     *
     * @return true if the handshake completed within {@code timeout}; false if it was refused, unreachable
     *     or unanswered (for example dropped by a firewall rule)
     */
    public boolean tcpConnect(LabNamespace from, InetAddress to, int port, Duration timeout) {
        requireOpen();
        requireOwned(from);
        FirewallRule.checkPort(port);
        // nc's own timeout has whole-second resolution; the process deadline enforces the exact one.
        long seconds = Math.max(1, (timeout.toMillis() + 999) / 1000);
        CommandResult r = exec(
                from,
                List.of("nc", "-z", "-n", "-w", Long.toString(seconds), to.getHostAddress(), Integer.toString(port)),
                timeout);
        if (r.timedOut()) {
            return false;
        }
        return switch (r.exitCode()) {
            case 0 -> true;
            case 1 -> false;
            default -> throw new CommandFailedException(r.command(), r.exitCode(), r.stderr(), false);
        };
    }

    /** Sends one UDP datagram carrying {@code payload} (1-1024 bytes) from {@code from}. */
    public void sendUdp(LabNamespace from, InetAddress to, int port, byte[] payload) {
        requireOpen();
        requireOwned(from);
        FirewallRule.checkPort(port);
        if (payload.length < 1 || payload.length > MAX_UDP_PAYLOAD) {
            // nc reads stdin in chunks; a small payload is sent as exactly one datagram.
            throw new IllegalArgumentException(
                    "UDP payload must be 1.." + MAX_UDP_PAYLOAD + " bytes, got " + payload.length);
        }
        List<String> cmd = List.of(
                "ip",
                "netns",
                "exec",
                from.name(),
                "nc",
                "-u",
                "-n",
                "-q",
                "0",
                to.getHostAddress(),
                Integer.toString(port));
        CommandRunner.run(cmd, SEND_TIMEOUT, payload).requireSuccess();
    }

    /**
     * Pings {@code to} from {@code from}, {@code count} echo requests 200 ms apart, waiting up to
     * {@code replyTimeout} for the last reply. Lost replies are a result, not an error.
     */
    public PingResult ping(LabNamespace from, InetAddress to, int count, Duration replyTimeout) {
        requireOpen();
        requireOwned(from);
        if (count < 1 || count > 100) {
            throw new IllegalArgumentException("ping count must be 1..100, got " + count);
        }
        long waitSeconds = Math.max(1, (replyTimeout.toMillis() + 999) / 1000);
        String interval = String.format(Locale.ROOT, "%.1f", PING_INTERVAL.toMillis() / 1000.0);
        Duration limit =
                PING_INTERVAL.multipliedBy(count).plusSeconds(waitSeconds).plus(SEND_TIMEOUT);
        CommandResult r = exec(
                from,
                List.of(
                        "ping",
                        IpFamily.of(to).flag(),
                        "-n",
                        "-q",
                        "-c",
                        Integer.toString(count),
                        "-i",
                        interval,
                        "-W",
                        Long.toString(waitSeconds),
                        to.getHostAddress()),
                limit);
        // ping exits 1 when replies are missing: that is an answer. 2 and above are errors.
        if (r.timedOut() || r.exitCode() > 1) {
            throw new CommandFailedException(r.command(), r.exitCode(), r.stderr(), r.timedOut());
        }
        Matcher m = PING_SUMMARY.matcher(r.stdout());
        if (!m.find()) {
            throw new LabException("no summary line in the output of " + String.join(" ", r.command()) + ": "
                    + r.stdout().strip());
        }
        return new PingResult(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
    }

    /**
     * Runs {@code command} inside {@code ns} via {@code ip netns exec}. A non-zero exit is returned, not
     * thrown; call {@link CommandResult#requireSuccess()} where it is an error.
     */
    public CommandResult exec(LabNamespace ns, List<String> command, Duration timeout) {
        requireOpen();
        requireOwned(ns);
        if (command.isEmpty()) {
            throw new IllegalArgumentException("command to run in " + ns.name() + " is empty");
        }
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns.name()));
        cmd.addAll(command);
        return CommandRunner.run(cmd, timeout, new byte[0]);
    }

    /**
     * Stops every helper process and deletes every namespace this lab created (their veths, addresses and
     * rules go with them). Carries on past failures and then throws the first one, with the others attached
     * as suppressed exceptions. Closing twice is harmless.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // Called from the shutdown hook itself, or while the JVM exits: nothing to unregister.
        }
        List<RuntimeException> failures = new ArrayList<>();
        for (LabProcess p : processes.reversed()) {
            try {
                p.close();
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        for (String name : createdNames.reversed()) {
            try {
                Netns.delete(name);
                LOG.log(System.Logger.Level.DEBUG, "lab {0}: deleted namespace {1}", id, name);
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        IDS_IN_USE.remove(id);
        if (!failures.isEmpty()) {
            RuntimeException first = failures.getFirst();
            failures.subList(1, failures.size()).forEach(first::addSuppressed);
            LOG.log(
                    System.Logger.Level.WARNING,
                    "lab {0}: cleanup incomplete, {1} failure(s), first: {2}",
                    id,
                    failures.size(),
                    first.getMessage());
            throw first;
        }
        LOG.log(System.Logger.Level.DEBUG, "lab {0}: closed", id);
    }

    private void closeOnShutdown() {
        try {
            close();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "lab {0}: cleanup at exit failed: {1}", id, e.getMessage());
        }
    }

    private void ip(LabNamespace ns, String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "-n", ns.name()));
        cmd.addAll(List.of(args));
        CommandRunner.runChecked(cmd, Netns.IP_TIMEOUT);
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("lab " + id + " is closed");
        }
    }

    private void requireOwned(LabNamespace ns) {
        if (!ns.equals(namespaces.get(ns.name()))) {
            throw new IllegalArgumentException("namespace " + ns.name() + " does not belong to lab " + id);
        }
    }

    private static void checkIfName(String name) {
        if (!IFNAME.matcher(name).matches()) {
            throw new IllegalArgumentException("interface name '" + name + "' must be 1-15 of [A-Za-z0-9_.-]");
        }
    }
}
