// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.agent.netns;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads pod membership out of cgroup paths named the way the kubelet names them.
 *
 * <p>cgroupfs driver: {@code /kubepods/pod<uid>/<id>} (Guaranteed QoS) and
 * {@code /kubepods/{besteffort,burstable}/pod<uid>/<id>}. systemd driver:
 * {@code /kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod<uid_with_underscores>.slice/<scope>},
 * where the kubelet turns the UID's dashes into underscores because systemd reads a dash in a slice
 * name as a level of the hierarchy. Container scopes: {@code cri-containerd-<id>.scope},
 * {@code crio-<id>.scope}, {@code crio-conmon-<id>.scope}, {@code docker-<id>.scope}.
 *
 * <p>Matching is on whole path segments and the whole UID, never substrings: two pods whose UIDs
 * share a prefix must not be confused.
 */
public final class KubeletCgroupNames {

    private static final String SLICE = ".slice";
    private static final String SCOPE = ".scope";
    private static final String POD = "pod";
    /** Container scope prefixes; crio-conmon- comes before crio-, which is also its prefix. */
    private static final List<Map.Entry<String, ContainerRuntime>> SCOPE_PREFIXES = List.of(
            Map.entry("cri-containerd-", ContainerRuntime.CONTAINERD),
            Map.entry("crio-conmon-", ContainerRuntime.CRIO_CONMON),
            Map.entry("crio-", ContainerRuntime.CRIO),
            Map.entry("docker-", ContainerRuntime.DOCKER));

    private KubeletCgroupNames() {}

    /**
     * The pod memberships in the text of a {@code /proc/PID/cgroup} file: cgroup v1 lines
     * ({@code 4:pids:/kubepods/...}, {@code 1:name=systemd:/...}) and the v2 line ({@code 0::/...}).
     * One entry per pod UID. Hierarchies normally agree; where one names the container and another
     * only the pod, the more specific entry is kept, and a process that any hierarchy places in a
     * conmon scope stays conmon (it must never be taken for a pod process).
     */
    public static List<PodCgroup> fromProcCgroupFile(String content) {
        Map<String, PodCgroup> byPod = new LinkedHashMap<>();
        for (String line : content.split("\n")) {
            int first = line.indexOf(':');
            int second = first < 0 ? -1 : line.indexOf(':', first + 1);
            if (second < 0) {
                continue; // not a hierarchy line (blank trailing line)
            }
            fromPath(line.substring(second + 1))
                    .ifPresent(found -> byPod.merge(found.podUid(), found, KubeletCgroupNames::merge));
        }
        return List.copyOf(byPod.values());
    }

    private static PodCgroup merge(PodCgroup kept, PodCgroup other) {
        if (other.isConmon() && !kept.isConmon()) {
            return other;
        }
        if (kept.container().isEmpty() && other.container().isPresent() && !kept.isConmon()) {
            return other;
        }
        return kept;
    }

    /** The pod (and container) a cgroup path belongs to, or empty for paths outside the kubelet's tree. */
    public static Optional<PodCgroup> fromPath(String cgroupPath) {
        String[] segments = cgroupPath.split("/");
        boolean underCgroupfsRoot = false;
        for (int i = 0; i < segments.length; i++) {
            String segment = segments[i];
            Optional<String> uid = podUidOfSystemdSlice(segment);
            if (uid.isEmpty() && underCgroupfsRoot) {
                uid = podUidOfCgroupfsDir(segment);
            }
            if (uid.isPresent()) {
                Optional<ContainerCgroup> container =
                        i + 1 < segments.length ? containerOf(segments[i + 1]) : Optional.empty();
                return Optional.of(new PodCgroup(uid.get(), container));
            }
            // The cgroupfs root may itself sit below a configured --cgroup-root (/kubelet/kubepods/...).
            if (segment.equals("kubepods")) {
                underCgroupfsRoot = true;
            }
        }
        return Optional.empty();
    }

    /** {@code kubepods-burstable-pod<uid_>.slice}, {@code kubepods-pod<uid_>.slice}, {@code kubelet-kubepods-...}. */
    private static Optional<String> podUidOfSystemdSlice(String segment) {
        if (!segment.endsWith(SLICE)) {
            return Optional.empty();
        }
        String[] levels =
                segment.substring(0, segment.length() - SLICE.length()).split("-");
        String last = levels[levels.length - 1];
        if (levels.length < 2 || !List.of(levels).contains("kubepods") || !last.startsWith(POD)) {
            return Optional.empty();
        }
        String uid = last.substring(POD.length()).replace('_', '-');
        return PodUids.isValid(uid) ? Optional.of(uid) : Optional.empty();
    }

    /** {@code pod<uid>} below a {@code kubepods} directory. */
    private static Optional<String> podUidOfCgroupfsDir(String segment) {
        if (!segment.startsWith(POD)) {
            return Optional.empty();
        }
        String uid = segment.substring(POD.length());
        return PodUids.isValid(uid) ? Optional.of(uid) : Optional.empty();
    }

    private static Optional<ContainerCgroup> containerOf(String segment) {
        String name = segment.endsWith(SCOPE) ? segment.substring(0, segment.length() - SCOPE.length()) : segment;
        for (Map.Entry<String, ContainerRuntime> rule : SCOPE_PREFIXES) {
            if (name.startsWith(rule.getKey()) && name.length() > rule.getKey().length()) {
                return Optional.of(
                        new ContainerCgroup(name.substring(rule.getKey().length()), rule.getValue()));
            }
        }
        return name.isEmpty() ? Optional.empty() : Optional.of(new ContainerCgroup(name, ContainerRuntime.UNKNOWN));
    }
}
