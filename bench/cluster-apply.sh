#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# cluster-apply.sh: how long a user waits on a real cluster (hack/cluster-lab) between `kubectl apply` of a
# PacketTrace and (1) phase Running, (2) the first event in its status, with the node agents already up.
# The peer, measured in the same run on the same cluster: `kubectl apply` of a busybox Pod to phase Running
# (what any workload pays the API server, scheduler, kubelet and runtime).
#
# Usage: bench/cluster-apply.sh [REPETITIONS]   (default 10; root; starts and stops the lab itself)
# Times come from `kubectl get -w` streams stamped on arrival (date +%s%N), so each figure includes the
# watch's delivery; the apply is stamped just before kubectl starts. Writes results to $(out_dir).
set -euo pipefail

# shellcheck source=lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
need_root "cluster-apply.sh"
reps=${1:-10}
[[ $reps =~ ^[1-9][0-9]*$ ]] || die "REPETITIONS must be a positive whole number, not '$reps'"

if [[ -z ${KUBECONFIG:-} || -z ${CLUSTER_LAB_KUBECTL:-} ]]; then
  (cd "$repo_dir" && ./mvnw -q -B -pl images -am package -DskipTests)
  exec "$repo_dir/hack/cluster-lab" run -- "${BASH_SOURCE[0]}" "$reps"
fi

out=$(out_dir)
kubectl() { "$CLUSTER_LAB_KUBECTL" "$@"; }
helm=$("$repo_dir/hack/cluster-lab.d/build-helm")
ns=bench-apply

log "installing the chart"
"$helm" install packettrace "$repo_dir/charts/packettrace" -n packettrace --create-namespace --wait --timeout 3m \
  --set operator.image.tag=lab --set operator.image.pullPolicy=Never \
  --set agent.image.tag=lab --set agent.image.pullPolicy=Never \
  --set 'agent.capabilities[0]=BPF' --set 'agent.capabilities[1]=PERFMON' \
  --set 'agent.capabilities[2]=SYSLOG' --set 'agent.capabilities[3]=SYS_PTRACE' >/dev/null

log "a server pod and a client that connects to it three times a second"
kubectl create namespace "$ns" >/dev/null
kubectl run server -n "$ns" --image=packettrace.local/busybox:lab --image-pull-policy=Never -- \
  httpd -f -p 8080 -h /tmp >/dev/null
kubectl wait -n "$ns" --for=condition=Ready pod/server --timeout=120s >/dev/null
ip=$(kubectl get pod server -n "$ns" -o jsonpath='{.status.podIP}')
kubectl run client -n "$ns" --image=packettrace.local/busybox:lab --image-pull-policy=Never -- \
  sh -c "while true; do nc -w 1 $ip 8080 </dev/null; sleep 0.3; done" >/dev/null
kubectl wait -n "$ns" --for=condition=Ready pod/client --timeout=120s >/dev/null

trace() { # trace NAME
  printf 'apiVersion: packettrace.dev/v1alpha1\nkind: PacketTrace\nmetadata: {name: %s}\nspec:\n  targets: {podNames: [server]}\n  duration: 8s\n' "$1"
}

# stamp_until FILE PATTERN KIND NAME KUBECTL_GET_ARGS...: stamps each watched line of the object (which may
# not exist yet: a field selector watches for it); stops at the first line matching PATTERN
stamp_until() {
  local file=$1 pattern=$2 kind=$3 name=$4 line fd watcher
  shift 4
  exec {fd}< <(timeout 120 "$CLUSTER_LAB_KUBECTL" get "$kind" --field-selector "metadata.name=$name" "$@" -w 2>/dev/null)
  watcher=$!
  while IFS= read -r -u "$fd" line; do
    echo "$(now_ns) $line" >> "$file"
    [[ $line =~ $pattern ]] && break
  done
  # the watch would wait for its next event: end it here
  kill "$watcher" 2>/dev/null || true
  exec {fd}<&-
}

ms() { echo $((($2 - $1) / 1000000)); }

log "warm-up: the first trace brings up the agent DaemonSet (not counted)"
trace warm-up | kubectl apply -n "$ns" -f - >/dev/null
stamp_until "$out/warm-up.log" '^Completed' pt warm-up -n "$ns" -o 'jsonpath={.status.phase}{"\n"}'
kubectl wait -n packettrace --for=condition=Ready pod -l app.kubernetes.io/name=packettrace-node-agent --timeout=120s >/dev/null

printf 'rep running_ms first_event_ms pod_running_ms\n' > "$out/cluster-apply.tsv"
for ((i = 1; i <= reps; i++)); do
  name=bench-$i
  : > "$out/$name.log"
  stamp_until "$out/$name.log" '^Running [1-9]' pt "$name" -n "$ns" \
    -o 'jsonpath={.status.phase} {.status.summary.events}{"\n"}' &
  watcher=$!
  t0=$(now_ns)
  trace "$name" | kubectl apply -n "$ns" -f - >/dev/null
  wait "$watcher"
  running=$(awk '$2 == "Running" { print $1; exit }' "$out/$name.log")
  first=$(awk '$2 == "Running" && $3 > 0 { print $1; exit }' "$out/$name.log")
  [[ -n $running && -n $first ]] || die "$name: no Running with events within 120 s ($out/$name.log)"

  : > "$out/pod-$i.log"
  stamp_until "$out/pod-$i.log" '^Running' pod "peer-$i" -n "$ns" -o 'jsonpath={.status.phase}{"\n"}' &
  watcher=$!
  p0=$(now_ns)
  kubectl run "peer-$i" -n "$ns" --image=packettrace.local/busybox:lab --image-pull-policy=Never -- sleep 600 >/dev/null
  wait "$watcher"
  pod_running=$(awk '$2 == "Running" { print $1; exit }' "$out/pod-$i.log")
  [[ -n $pod_running ]] || die "peer-$i: not Running within 120 s"
  printf '%d %d %d %d\n' "$i" "$(ms "$t0" "$running")" "$(ms "$t0" "$first")" "$(ms "$p0" "$pod_running")" \
    | tee -a "$out/cluster-apply.tsv" >&2
  kubectl delete pod "peer-$i" -n "$ns" --wait=false >/dev/null
  # one trace at a time: the next starts on an idle agent, as a user's would
  kubectl wait -n "$ns" --for=jsonpath='{.status.phase}'=Completed "pt/$name" --timeout=120s >/dev/null
done

summary() { # column name
  awk -v c="$1" 'NR > 1 { print $c }' "$out/cluster-apply.tsv" | sort -n | awk -v name="$2" '
    { v[NR] = $1; s += $1 } END { printf "%s: mean %.0f ms, median %d ms, min %d, max %d (n=%d)\n",
      name, s / NR, v[int((NR + 1) / 2)], v[1], v[NR], NR }'
}
{
  summary 2 "apply -> Running"
  summary 3 "apply -> first event in status"
  summary 4 "peer: apply of a busybox Pod -> Running"
} | tee "$out/summary.txt"
