#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# kernel-lab-net.sh: per-packet overhead of the function-level backends, measured inside the QEMU kernel lab
# (hack/kernel-lab), since this machine's kernel has no kprobes and refuses trampolines.
#
# In the guest: namespaces srv (iperf3 server) and cli (client) joined by a veth pair, and idle, a namespace
# without traffic. TCP throughput (iperf3, receiver's figure) for these configurations, interleaved within each
# repetition (the order rotates between repetitions, so drift spreads over all of them):
#   baseline          no tracer
#   BACKEND-nomatch   bin/packettrace trace --backend BACKEND --filter-netns inode:<idle>   (probes run, filter says no)
#   BACKEND-match     the same with --filter-netns inode:<srv> --output-json to a file in the guest's tmpfs
# for each backend the guest kernel offers: kprobe, fentry, and kprobe-multi where the kernel has it
# (struct bpf_kprobe_multi_link in its BTF). Every function that takes an sk_buff is probed unless
# --filter-func narrows it. Prints a Markdown table (mean bits/s, change vs baseline, events, lost, attach time)
# and writes kernel-lab-net.tsv and kernel-lab-net.md to the output directory.
#
# The guest's CPU is emulated (TCG): absolute figures are far below real hardware's, and relative overheads
# are those of an emulated CPU too; compare configurations of one run with each other only.
#
# Usage: bench/kernel-lab-net.sh [--kernel-package PKG | --kernel-version RELEASE] [--reps N] [--seconds S]
#                                [--backends "kprobe fentry kprobe-multi"] [--filter-func REGEX]
#                                [--out DIR] [--timeout SECONDS]
#   defaults: Debian's default kernel, 3 repetitions, 10 s per iperf3 run, every backend the kernel offers,
#   output in bench/out/kernel-lab-net-<UTC time>, lab timeout 3600 s. Needs root and a built CLI
#   (./mvnw -q -B package -DskipTests).
set -euo pipefail

self=$(readlink -f -- "${BASH_SOURCE[0]}")
repo=$(cd -- "$(dirname -- "$self")/.." && pwd -P)

die() { echo "kernel-lab-net: $*" >&2; exit 1; }
log() { echo "kernel-lab-net: $*" >&2; }

reps=3 seconds=10 backends="" filter_func="" out="" timeout_s=3600 in_guest=false
lab_opts=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --kernel-package|--kernel-version) [[ $# -ge 2 ]] || die "$1 needs a value"; lab_opts+=("$1" "$2"); shift 2 ;;
    --reps) [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || die "--reps needs a number"; reps=$2; shift 2 ;;
    --seconds) [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || die "--seconds needs a number"; seconds=$2; shift 2 ;;
    --backends) [[ $# -ge 2 ]] || die "--backends needs a list"; backends=$2; shift 2 ;;
    --filter-func) [[ $# -ge 2 ]] || die "--filter-func needs a regex"; filter_func=$2; shift 2 ;;
    --out) [[ $# -ge 2 ]] || die "--out needs a directory"; out=$2; shift 2 ;;
    --timeout) [[ ${2:-} =~ ^[0-9]+$ ]] || die "--timeout needs seconds"; timeout_s=$2; shift 2 ;;
    --in-guest) in_guest=true; shift ;;
    -h|--help) sed -n '2,24p' "$self" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done

# ------------------------------------------------------------------------------------------------ on the host

if ! $in_guest; then
  [[ $(id -u) -eq 0 ]] || die "needs root (the kernel lab, BPF, network namespaces); run it with sudo"
  [[ -f $repo/node-agent/target/packettrace-node-agent.jar && -d $repo/node-agent/target/lib ]] \
    || die "the CLI is not built; run: cd $repo && ./mvnw -q -B package -DskipTests"
  for c in iperf3 jq ip; do command -v "$c" >/dev/null || die "'$c' not found (the guest runs this machine's root)"; done
  out=${out:-$repo/bench/out/kernel-lab-net-$(date -u +%Y%m%dT%H%M%SZ)}
  mkdir -p "$out"
  out=$(cd "$out" && pwd -P)
  log "results in $out"
  args=(--reps "$reps" --seconds "$seconds" --out "$out")
  [[ -z $backends ]] || args+=(--backends "$backends")
  [[ -z $filter_func ]] || args+=(--filter-func "$filter_func")
  # /tmp and /run are the guest's own empty tmpfs: a checkout there is shared with it (read-write) as well
  case $repo in /tmp | /tmp/* | /run | /run/*) lab_opts+=(--rw "$repo") ;; esac
  exec "$repo/hack/kernel-lab" ${lab_opts[@]+"${lab_opts[@]}"} --timeout "$timeout_s" --timings --rw "$out" \
    --workdir "$repo" -- "$self" --in-guest "${args[@]}"
fi

# ----------------------------------------------------------------------------------------------- in the guest

[[ ${KERNEL_LAB:-} == 1 ]] || die "--in-guest is for the kernel lab's guest"
cli=$repo/bin/packettrace
work=$(mktemp -d /tmp/kernel-lab-net.XXXXXX)
server_ip=10.250.0.1
server_pid="" tracer_pid=""

cleanup() {
  local rc=$?
  trap - EXIT
  for pid in $tracer_pid $server_pid; do
    if kill -TERM "$pid" 2>/dev/null; then wait "$pid" 2>/dev/null || true; fi
  done
  for ns in srv cli idle; do ip netns del "bn-$ns" 2>/dev/null || true; done
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT

now_ns() { date +%s%N; }
wait_for() { # wait_for SECONDS WHAT COMMAND...
  local deadline=$(($(now_ns) + $1 * 1000000000)) what=$2
  shift 2
  until "$@"; do
    [[ $(now_ns) -lt $deadline ]] || die "timed out after waiting for $what"
    sleep 0.1
  done
}

if [[ -z $backends ]]; then
  backends="kprobe fentry"
  # grep -c, not -q: -q stops reading early, bpftool dies of SIGPIPE, and pipefail makes the test false
  if [[ $(bpftool btf dump file /sys/kernel/btf/vmlinux 2>/dev/null | grep -c "^\[[0-9]*\] STRUCT 'bpf_kprobe_multi_link'") -gt 0 ]]; then
    backends+=" kprobe-multi"
  else
    log "kernel $(uname -r) has no kprobe-multi (no struct bpf_kprobe_multi_link in BTF): not measured"
  fi
fi
configs=(baseline)
for b in $backends; do configs+=("$b-nomatch" "$b-match"); done

log "guest kernel $(uname -r), $(nproc) vCPUs; lab: bn-srv <-> bn-cli over veth, bn-idle without traffic"
for ns in srv cli idle; do
  ip netns add "bn-$ns"
  ip -n "bn-$ns" link set lo up
done
ip link add bn-c netns bn-cli type veth peer name bn-s netns bn-srv
ip -n bn-srv addr add "$server_ip/24" dev bn-s
ip -n bn-cli addr add 10.250.0.2/24 dev bn-c
ip -n bn-srv link set bn-s up
ip -n bn-cli link set bn-c up
srv_inode=$(stat -L -c %i /run/netns/bn-srv)
idle_inode=$(stat -L -c %i /run/netns/bn-idle)

ip netns exec bn-srv iperf3 -s -B "$server_ip" >"$work/iperf3-server.log" 2>&1 &
server_pid=$!
listening() { ip netns exec bn-srv ss -Hltn "sport = :5201" | grep -q LISTEN; }
wait_for 30 "the iperf3 server" listening

# attached, or exited (the caller tells which)
tracer_started() {
  grep -q '^Attached ' "$work/tracer.err" || ! kill -0 "$tracer_pid" 2>/dev/null
}

tsv=$out/kernel-lab-net.tsv
printf 'config\trep\tbits_per_second\tretransmits\tevents\tlost\tattach_ms\tprobes\n' >"$tsv"

# run_config NAME REP: one measurement, one row of the TSV.
run_config() {
  local name=$1 rep=$2 events="" lost="" attach_ms="" probes="" file=$work/events.jsonl
  rm -f "$file" "$work/tracer.err"
  if [[ $name != baseline ]]; then
    local backend=${name%-*} inode=$idle_inode
    [[ $name != *-match ]] || inode=$srv_inode
    local start
    # in the lab a starting JVM sometimes dies of a SIGSEGV before attaching (see README, Status): start again
    for start in 1 2 3 4 5; do
      "$cli" trace --backend "$backend" --filter-netns "inode:$inode" ${filter_func:+--filter-func "$filter_func"} \
        --output-json --output-file "$file" >"$work/tracer.out" 2>"$work/tracer.err" &
      tracer_pid=$! # bin/packettrace execs java
      wait_for 900 "the tracer to attach ($name)" tracer_started
      grep -q '^Attached ' "$work/tracer.err" && break
      local rc=0
      wait "$tracer_pid" || rc=$?
      tracer_pid=""
      [[ $rc -eq 134 && $start -lt 5 ]] || die "the tracer exited with $rc before attaching ($name): $(tail -n 5 "$work/tracer.err")"
      log "the tracer's JVM crashed before attaching ($name, start $start): starting it again"
    done
    attach_ms=$(sed -n 's/^Attached .* in \([0-9]*\) ms$/\1/p' "$work/tracer.err")
    probes=$(sed -n 's/^Attached \([0-9]*\) probe.*/\1/p' "$work/tracer.err")
  fi
  ip netns exec bn-cli iperf3 -c "$server_ip" -O 1 -t "$seconds" -J >"$work/iperf3.json" \
    || die "iperf3 failed ($name): $(jq -r '.error // empty' "$work/iperf3.json" 2>/dev/null)"
  local result
  result=$(jq -r '"\(.end.sum_received.bits_per_second)\t\(.end.sum_sent.retransmits)"' "$work/iperf3.json")
  if [[ -n $tracer_pid ]]; then
    kill -TERM "$tracer_pid"
    local rc=0
    wait "$tracer_pid" || rc=$?
    tracer_pid=""
    if [[ $rc -eq 134 ]]; then # the JVM crashed while tracing (see above): this run does not count
      log "the tracer's JVM crashed while tracing ($name); measuring again"
      crashes=$((crashes + 1))
      return 3
    fi
    # 143: the JVM reports the SIGTERM, after the shutdown hook wrote the summary
    [[ $rc -eq 0 || $rc -eq 143 ]] || die "the tracer exited with $rc ($name): $(tail -n 5 "$work/tracer.err")"
    local summary
    summary=$(tail -n 1 "$file")
    events=$(jq -r '.summary.events' <<<"$summary")
    lost=$(jq -r '.summary.lost' <<<"$summary")
  fi
  rm -f "$file"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$rep" "$result" "$events" "$lost" "$attach_ms" "$probes" >>"$tsv"
  log "$(tail -n 1 "$tsv" | tr '\t' ' ')"
}

crashes=0
log "$reps repetitions x ${#configs[@]} configurations (${configs[*]}), iperf3 -O 1 -t $seconds"
for ((rep = 1; rep <= reps; rep++)); do
  for ((i = 0; i < ${#configs[@]}; i++)); do
    for _ in 1 2 3; do
      rc=0
      run_config "${configs[$(((i + rep - 1) % ${#configs[@]}))]}" "$rep" || rc=$?
      [[ $rc -eq 3 ]] || break
    done
    [[ $rc -eq 0 ]] || die "no measurement of ${configs[$(((i + rep - 1) % ${#configs[@]}))]} after 3 tracer crashes"
  done
done

md=$out/kernel-lab-net.md
base=$(awk -F'\t' 'NR > 1 && $1 == "baseline" { s += $3; n++ } END { printf "%.6g", s / n }' "$tsv")
{
  echo "Kernel $(uname -r) in the QEMU lab (TCG, $(nproc) vCPUs), iperf3 TCP over veth, $seconds s x $reps repetitions;"
  echo "functions: ${filter_func:-every function that takes an sk_buff}; tracer JVM crashes while tracing (runs redone): $crashes."
  echo
  echo "| configuration | Mbit/s mean | stddev | change vs baseline | events (mean per run) | lost (total) | probes | attach ms (mean) |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  for c in "${configs[@]}"; do
    awk -F'\t' -v c="$c" -v b="$base" 'NR > 1 && $1 == c {
        x[++n] = $3; s += $3; ev += $5; lost += $6; at += $7; probes = $8
      } END {
        m = s / n; v = 0
        for (i = 1; i <= n; i++) v += (x[i] - m) ^ 2
        sd = n > 1 ? sqrt(v / (n - 1)) : 0
        if (c == "baseline") {
          printf "| %s (n=%d) | %.0f | %.0f | - | - | - | - | - |\n", c, n, m / 1e6, sd / 1e6
        } else {
          printf "| %s (n=%d) | %.0f | %.0f | %+.1f%% | %.0f | %d | %s | %.0f |\n", c, n, m / 1e6, sd / 1e6,
            100 * (m - b) / b, ev / n, lost, probes, at / n
        }
      }' "$tsv"
  done
} >"$md"
cat "$md"
