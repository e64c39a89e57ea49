#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# TCP throughput across a veth pair (iperf3) with and without tracing; packettrace against a bpftrace peer.
# Usage: sudo bench/net.sh        REPS=5 SECONDS_PER_RUN=10 by default (~8 minutes)
#
# Lab: namespaces <p>-srv (iperf3 server) and <p>-cli (client) joined by a veth pair, plus <p>-idle, a namespace
# with no traffic whose inode is the "matches nothing" filter. Configurations, interleaved within each repetition
# (the order rotates from one repetition to the next, so drift of the VM spreads over all of them):
#   baseline        no tracer
#   empty-tp        an empty tp_btf program on each of packettrace's tracepoints (bench/net/empty-tracepoints.bpf.c):
#                   the floor any tracer on those tracepoints pays before doing any work
#   empty-tp-listed the same on only the 13 tracepoints issue 2 lists (packettrace adds 4: see LISTED_EVENTS)
#   empty-tp-one    the same on net:net_dev_xmit alone: what one more tracepoint crossed once per packet costs
#   pt-nomatch      bin/packettrace trace --filter-netns inode:<idle>
#   pt-match        bin/packettrace trace --filter-netns inode:<srv> --output-json --output-file FILE
#   pt-match-jvm    the same with PACKETTRACE_JAVA_OPTIONS=$ALT_JVM_OPTIONS (default empty: the JVM's own sizing
#                   and collector instead of the launcher's small serial heap)
#   pt-match-summary the same filter with --output-summary-only: every hit counted in the kernel, no event streamed
#   pt-match-drops  the same with --output-events drops: counted in the kernel, only drops streamed (none here)
#   bt-nomatch      bpftrace bench/net/peer-netns.bt <idle>
#   bt-match        bpftrace -o FILE bench/net/peer-netns.bt <srv>
# Each tracer is started, attached and left to settle (no CPU for half a second) before iperf3 starts: the figures
# are the cost of a tracer that is tracing, not of a JVM finishing its start-up (see settle_tracer).
# Per run: throughput (iperf3's receiver figure), retransmits, events and lost events, the tracer's CPU use and,
# for packettrace, VmRSS/VmHWM of the java process at the end of the load.
# NET_PIN=CPU (default 0; NET_PIN= for none) runs both iperf3 ends on that one CPU (taskset). Unpinned, a veth
# flow on 2 CPUs is reordered (the sender's data is queued to whichever CPU's backlog it runs on, and ACK
# processing sends from the other), TCP answers with tens of thousands of spurious retransmits per second, and
# throughput then depends on how a tracer shifts that timing as much as on the CPU it takes. Pinned, there is no
# reordering and the change is the tracer's CPU cost per packet; the tracer's own threads use the other CPU.
# Changes are also given paired: each repetition's run against that repetition's baseline, so slow drift of the
# VM cancels out (mean with a 95% confidence interval, and the median).
# Writes net.tsv (one row per run) and net.md (summary tables) to the output directory.
set -euo pipefail
. "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/lib/common.sh"

REPS=${REPS:-5}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
ALT_JVM_OPTIONS=${ALT_JVM_OPTIONS:-}
NET_PIN=${NET_PIN-0} # unset: CPU 0; set but empty: unpinned
pin=()
if [ -n "$NET_PIN" ]; then
  { [[ $NET_PIN =~ ^[0-9]+$ ]] && [ "$NET_PIN" -lt "$(nproc)" ]; } || die "NET_PIN: '$NET_PIN' is not a CPU of this machine (0-$(($(nproc) - 1)))"
  pin=(taskset -c "$NET_PIN")
fi
# NET_CONFIGS: a subset to run, e.g. "baseline pt-nomatch" (the probe-cost runs always run)
read -r -a CONFIGS <<<"${NET_CONFIGS:-baseline empty-tp pt-nomatch pt-match pt-match-summary pt-match-drops pt-match-jvm bt-nomatch bt-match}"
# The skb-carrying tracepoints the tracer-core issue names; packettrace also attaches skb_copy_datagram_iovec,
# tcp_bad_csum, netif_receive_skb_entry and napi_gro_frags_entry.
LISTED_EVENTS="kfree_skb consume_skb netif_receive_skb netif_rx napi_gro_receive_entry net_dev_queue net_dev_start_xmit
  net_dev_xmit tcp_retransmit_skb tcp_send_reset tcp_receive_reset udp_fail_queue_rcv_skb sock_rcvqueue_full"

need_root "bench/net.sh"
raise_priority
for c in ip:iproute2 iperf3:iperf3 bpftrace:bpftrace bpftool:bpftool jq:jq ss:iproute2; do
  need_cmd "${c%%:*}" "${c#*:}"
done
need_built_cli
out=$(out_dir)
work=$(mktemp -d "${TMPDIR:-/tmp}/ptbench.XXXXXX")
case " ${CONFIGS[*]} " in
  *" empty-tp"*)
    need_cmd clang clang
    need_cmd gcc gcc
    [ -f /usr/include/bpf/libbpf.h ] || die "libbpf's headers not found; install them with: apt-get install libbpf-dev"
    vmlinux_dir="$repo_dir/bpf/include/vmlinux/$(uname -m | sed -e 's/^x86_64$/x86/' -e 's/^aarch64$/arm64/')"
    [ -f "$vmlinux_dir/vmlinux.h" ] || die "$vmlinux_dir/vmlinux.h not found: no pinned vmlinux.h for this architecture"
    clang -O2 -g -target bpf -I"$vmlinux_dir" -c "$bench_dir/net/empty-tracepoints.bpf.c" -o "$work/empty-tracepoints.o"
    gcc -O2 -Wall -o "$work/attach-and-wait" "$bench_dir/net/attach-and-wait.c" -lbpf
    ;;
esac
# The event files of the matching runs go to the output directory's disk, deleted after each run.
files="$out/net-files"
mkdir -p "$files"

p="ptb$$"
srv="$p-srv" cli="$p-cli" idle="$p-idle"
server_ip=10.250.0.1
server_pid=""
tracer_pid=""
mounted_tracefs=""

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  for pid in $tracer_pid $server_pid; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  for ns in "$srv" "$cli" "$idle"; do
    ip netns del "$ns" 2>/dev/null || true
  done
  [ -z "$mounted_tracefs" ] || umount /sys/kernel/tracing 2>/dev/null || true
  rm -rf "$work" "$files"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# bpftrace's tracepoint: probes read the event ids from tracefs.
if [ ! -d /sys/kernel/tracing/events/skb ]; then
  log "mounting tracefs on /sys/kernel/tracing for bpftrace (unmounted again at the end)"
  mount -t tracefs tracefs /sys/kernel/tracing
  mounted_tracefs=1
fi

log "building the lab: $srv <-> $cli over veth, $idle without traffic"
for ns in "$srv" "$cli" "$idle"; do
  ip netns add "$ns"
  ip -n "$ns" link set lo up
done
ip link add "${p}c" netns "$cli" type veth peer name "${p}s" netns "$srv"
ip -n "$srv" addr add "$server_ip/24" dev "${p}s"
ip -n "$cli" addr add 10.250.0.2/24 dev "${p}c"
ip -n "$srv" link set "${p}s" up
ip -n "$cli" link set "${p}c" up
srv_inode=$(stat -L -c %i "/run/netns/$srv")
idle_inode=$(stat -L -c %i "/run/netns/$idle")

ip netns exec "$srv" "${pin[@]}" iperf3 -s -B "$server_ip" >"$work/iperf3-server.log" 2>&1 &
server_pid=$!
server_listening() { ip netns exec "$srv" ss -Hltn "sport = :5201" | grep -q LISTEN; }
wait_for 10 "the iperf3 server in $srv to listen" server_listening

# Runs the iperf3 client; prints "bits_per_second retransmits".
run_iperf() {
  ip netns exec "$cli" "${pin[@]}" iperf3 -c "$server_ip" -O 1 -t "$SECONDS_PER_RUN" -J >"$work/iperf3.json" ||
    die "iperf3 client failed: $(jq -r '.error // empty' "$work/iperf3.json" 2>/dev/null)"
  jq -r '"\(.end.sum_received.bits_per_second) \(.end.sum_sent.retransmits)"' "$work/iperf3.json"
}

tracer_attached() {
  kill -0 "$tracer_pid" 2>/dev/null || die "the tracer exited before attaching: $(cat "$work/tracer.err")"
  grep -q '^Attached ' "$work/tracer.err"
}

empty_attached() {
  kill -0 "$tracer_pid" 2>/dev/null || die "attach-and-wait exited before attaching: $(cat "$work/tracer.err")"
  grep -q '^attached [0-9]' "$work/tracer.err"
}

bpftrace_attached() {
  kill -0 "$tracer_pid" 2>/dev/null || die "bpftrace exited before attaching: $(cat "$work/tracer.err")"
  [ "$(bpftool perf show -j 2>/dev/null | jq --argjson p "$tracer_pid" '[.[] | select(.pid == $p and .fd_type == "tracepoint")] | length')" -ge 15 ]
}

# stop_tracer SIGNAL: packettrace stops on TERM (a background job of a script starts with SIGINT ignored, and the JVM
# leaves an ignored SIGINT alone), bpftrace on INT (it installs its own handler, see stop_process).
stop_tracer() {
  local rc=0
  stop_process "$tracer_pid" "$1" || rc=$?
  tracer_pid=""
  # 143: the JVM reports the SIGTERM it was stopped with, after the CLI's shutdown hook wrote the summary.
  [ "$rc" -eq 0 ] || [ "$rc" -eq 143 ] || die "the tracer exited with $rc: $(tail -n 5 "$work/tracer.err")"
}

# settle_tracer: waits (at most 15 s) until the tracer used no CPU for half a second. packettrace keeps working for
# about half a second of CPU after it reports attached (it reads the kernel's symbols and the JIT compiles its
# start-up code); on this 2-CPU machine iperf3 started at once would pay for that tail, which a trace running for
# minutes (the node agent's case) does not. Sets settle_ms, which the run's log line shows.
settle_tracer() {
  local deadline=$(($(now_ns) + 15000000000)) t0 before after
  t0=$(now_ns)
  while [ "$(now_ns)" -lt "$deadline" ]; do
    before=$(cpu_ticks "$tracer_pid")
    sleep 0.5
    after=$(cpu_ticks "$tracer_pid")
    [ "$after" -ne "$before" ] || break
  done
  settle_ms=$((($(now_ns) - t0) / 1000000))
}

# start_tracer CONFIG FILE: starts the configuration's tracer (none for baseline) writing its events to FILE, and
# waits until it is attached; sets tracer_pid.
start_tracer() {
  local name=$1 file=$2
  case $name in
    baseline) ;;
    pt-*)
      local inode=$idle_inode
      case $name in pt-match*) inode=$srv_inode ;; esac
      # the launcher's JVM options unless this is the configuration with the alternative ones
      if [ "$name" = pt-match-jvm ]; then export PACKETTRACE_JAVA_OPTIONS=$ALT_JVM_OPTIONS; else unset PACKETTRACE_JAVA_OPTIONS; fi
      local stream=()
      case $name in
        pt-match-summary) stream=(--output-summary-only) ;;
        pt-match-drops) stream=(--output-events drops) ;;
      esac
      "$repo_dir/bin/packettrace" trace --filter-netns "inode:$inode" --output-json "${stream[@]}" \
        --output-file "$file" 2>"$work/tracer.err" &
      tracer_pid=$! # the launcher execs java: this is the JVM
      wait_for 60 "packettrace to attach ($name)" tracer_attached
      settle_tracer
      ;;
    empty-tp*)
      local events=""
      case $name in
        empty-tp-listed) events=$LISTED_EVENTS ;;
        empty-tp-one) events=net_dev_xmit ;;
      esac
      # shellcheck disable=SC2086 # one argument per event
      "$work/attach-and-wait" "$work/empty-tracepoints.o" $events 2>"$work/tracer.err" &
      tracer_pid=$!
      wait_for 30 "the empty programs to attach" empty_attached
      settle_tracer
      ;;
    bt-*)
      local inode=$idle_inode
      [ "$name" != bt-match ] || inode=$srv_inode
      bpftrace -o "$file" "$bench_dir/net/peer-netns.bt" "$inode" >/dev/null 2>"$work/tracer.err" &
      tracer_pid=$!
      wait_for 60 "bpftrace to attach ($name)" bpftrace_attached
      settle_tracer
      ;;
  esac
}

# run_config NAME REP: one measurement; appends a row to net.tsv.
run_config() {
  local name=$1 rep=$2 file="$files/events" ticks0=0 ticks1=0 rss="" hwm="" attach_ms="" events="" lost=""
  settle_ms=""
  rm -f "$file" "$work/tracer.err"
  start_tracer "$name" "$file"
  case $name in pt-*) attach_ms=$(sed -n 's/^Attached .* in \([0-9]*\) ms$/\1/p' "$work/tracer.err") ;; esac

  [ -z "$tracer_pid" ] || ticks0=$(cpu_ticks "$tracer_pid")
  local t0 t1 result
  others_snapshot "$work/others.0"
  t0=$(now_ns)
  result=$(run_iperf)
  read -r bits_per_second retransmits <<<"$result"
  t1=$(now_ns)
  others_snapshot "$work/others.1"
  if [ -n "$tracer_pid" ]; then
    ticks1=$(cpu_ticks "$tracer_pid")
    case $name in
      pt-*)
        rss=$(status_kib "$tracer_pid" VmRSS) hwm=$(status_kib "$tracer_pid" VmHWM)
        stop_tracer TERM
        ;;
      empty-tp*) stop_tracer TERM ;;
      bt-*) stop_tracer INT ;;
    esac
  fi

  case $name in
    pt-*)
      local summary
      summary=$(tail -n 1 "$file")
      events=$(jq -r '.summary.events' <<<"$summary")
      lost=$(jq -r '.summary.lost' <<<"$summary")
      ;;
    bt-*)
      events=$(grep -c '^[0-9]' "$file" || true)
      lost=$(awk '/^Lost [0-9]+ events/ { n += $2 } END { print n + 0 }' "$file" "$work/tracer.err")
      ;;
  esac
  rm -f "$file"
  local secs cpu_pct=""
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
  [ "$name" = baseline ] ||
    cpu_pct=$(awk -v t="$((ticks1 - ticks0))" -v hz="$(getconf CLK_TCK)" -v s="$secs" 'BEGIN { printf "%.1f", 100 * t / hz / s }')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$rep" "$bits_per_second" "$retransmits" "$secs" "$events" "$lost" \
    "$cpu_pct" "$rss" "$hwm" "$attach_ms" "$(others_pct "$work/others.0" "$work/others.1" "$secs")" >>"$out/net.tsv"
  log "$(tail -n 1 "$out/net.tsv" | tr '\t' ' ')${settle_ms:+ (settled ${settle_ms} ms after attaching)}"
}

printf 'config\trep\tbits_per_second\tretransmits\tseconds\tevents\tlost\ttracer_cpu_pct\tvmrss_kib\tvmhwm_kib\tattach_ms\tothers_cpu_pct\n' \
  >"$out/net.tsv"
wait_quiet "${BENCH_QUIET_WAIT:-60}" >"$out/net-quiet.txt"
log "$(cat "$out/net-quiet.txt")"
log "$REPS repetitions x ${#CONFIGS[@]} configurations x $((SECONDS_PER_RUN + 1)) s (iperf3 -O 1 -t $SECONDS_PER_RUN)$([ -z "$NET_PIN" ] || echo ", both iperf3 ends on CPU $NET_PIN")"
for ((rep = 1; rep <= REPS; rep++)); do
  for ((i = 0; i < ${#CONFIGS[@]}; i++)); do
    run_config "${CONFIGS[$(((i + rep - 1) % ${#CONFIGS[@]}))]}" "$rep"
  done
done

# Probe cost: where a tracer's overhead goes. One more iperf3 run per non-matching tracer with the kernel's BPF
# statistics on (kernel.bpf_stats_enabled, which itself adds two clock reads per program run, so these runs are
# not part of the throughput figures): run count and run time of each of the tracer's programs.
prog_stats() { # prog_stats CONFIG PID -> "id name run_cnt run_time_ns" per program of that tracer
  local ids
  case $1 in
    pt-*) ids=$(bpftool -j prog show | jq -c '[.[] | select(.name | startswith("pt")) | .id]') ;;
    # bpftool of Debian 12 does not list owning processes; bpftrace's perf events name its pid
    *) ids=$(bpftool -j perf show | jq -c --argjson p "$2" '[.[] | select(.pid == $p) | .prog_id]') ;;
  esac
  bpftool -j prog show | jq -r --argjson ids "$ids" \
    '.[] | select(.id as $i | $ids | index($i)) | "\(.id) \(.name) \(.run_cnt // 0) \(.run_time_ns // 0)"'
}
stats_was=$(sysctl -n kernel.bpf_stats_enabled)
printf 'config\tprogram\thits\tns_per_hit\tcpu_ms_per_s\tseconds\n' >"$out/probe-cost.tsv"
for name in pt-nomatch bt-nomatch; do
  rm -f "$work/tracer.err"
  start_tracer "$name" "$files/events"
  sysctl -qw kernel.bpf_stats_enabled=1
  prog_stats "$name" "$tracer_pid" >"$work/stats.0"
  t0=$(now_ns)
  run_iperf >/dev/null
  t1=$(now_ns)
  prog_stats "$name" "$tracer_pid" >"$work/stats.1"
  sysctl -qw kernel.bpf_stats_enabled="$stats_was"
  case $name in pt-*) stop_tracer TERM ;; *) stop_tracer INT ;; esac
  rm -f "$files/events"
  awk -v c="$name" -v s="$(((t1 - t0) / 1000000))" 'NR == FNR { n[$1] = $3; t[$1] = $4; next }
    { h = $3 - n[$1]; ns = $4 - t[$1]; if (h > 0) printf "%s\t%s\t%d\t%.0f\t%.1f\t%.3f\n", c, $2, h, ns / h, ns / 1e6 / (s / 1000), s / 1000 }' \
    "$work/stats.0" "$work/stats.1" >>"$out/probe-cost.tsv"
done
{
  echo "| configuration | programs that ran | hits/s | mean ns per hit | CPU ms per s (all programs) |"
  echo "| --- | ---: | ---: | ---: | ---: |"
  for name in pt-nomatch bt-nomatch; do
    awk -F'\t' -v c="$name" 'NR > 1 && $1 == c { p++; h += $3; ns += $3 * $4; cpu += $5; s = $6 }
      END { printf "| %s | %d | %.0f | %.0f | %.1f |\n", c, p, (s ? h / s : 0), (h ? ns / h : 0), cpu }' "$out/probe-cost.tsv"
  done
  echo
  echo "Measured with kernel.bpf_stats_enabled=1 during one extra iperf3 run per tracer (the accounting adds its own"
  echo "clock reads to every run, tens of ns on this VM). Per program: probe-cost.tsv."
} >"$out/probe-cost.md"

# Summary: one row per configuration.
column_stats() { # column_stats CONFIG COLUMN -> "mean sd n" over the rows of CONFIG
  awk -F'\t' -v c="$1" -v k="$2" 'NR > 1 && $1 == c && $k != "" { print $k }' "$out/net.tsv" | mean_sd
}
# paired_change CONFIG -> "mean ci95 median n" of (run / same repetition's baseline - 1) in %
paired_change() {
  awk -F'\t' -v c="$1" 'NR > 1 && $1 == "baseline" { b[$2] = $3 } NR > 1 && $1 == c { x[$2] = $3 }
    END {
      for (r in x) if (r in b) { n++; d[n] = 100 * (x[r] / b[r] - 1); s += d[n] }
      if (n == 0) { print "nan nan nan 0"; exit }
      m = s / n; v = 0
      for (i = 1; i <= n; i++) v += (d[i] - m) ^ 2
      # Student t, two-sided 95%, by degrees of freedom (1.96 beyond 30)
      split("12.71 4.30 3.18 2.78 2.57 2.45 2.36 2.31 2.26 2.23 2.20 2.18 2.16 2.14 2.13 2.12 2.11 2.10 2.09 2.09 2.08 2.07 2.07 2.06 2.06 2.06 2.05 2.05 2.05 2.04", t, " ")
      ci = n > 1 ? (n - 1 <= 30 ? t[n - 1] : 1.96) * sqrt(v / (n - 1)) / sqrt(n) : 0
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (d[j] < d[i]) { y = d[i]; d[i] = d[j]; d[j] = y }
      med = n % 2 ? d[(n + 1) / 2] : (d[n / 2] + d[n / 2 + 1]) / 2
      printf "%.2f %.2f %.2f %d\n", m, ci, med, n
    }' "$out/net.tsv"
}
read -r base_mean _ _ < <(column_stats baseline 3)
{
  echo "| configuration | Gbit/s mean | stddev | change vs baseline | paired change (mean ± 95% CI) | paired change (median) | retransmits (mean) | events/s | lost events (total) | tracer CPU % (mean) | VmRSS / VmHWM MiB (max) | other work's CPU % (mean) |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  for c in "${CONFIGS[@]}"; do
    read -r m sd n < <(column_stats "$c" 3)
    read -r rt _ _ < <(column_stats "$c" 4)
    read -r ev _ _ < <(awk -F'\t' -v c="$c" 'NR > 1 && $1 == c && $6 != "" { print $6 / $5 }' "$out/net.tsv" | mean_sd)
    lost=$(awk -F'\t' -v c="$c" 'NR > 1 && $1 == c { n += $7 } END { print n + 0 }' "$out/net.tsv")
    read -r cpu _ _ < <(column_stats "$c" 8)
    read -r others _ _ < <(column_stats "$c" 12)
    read -r pmean pci pmed _ < <(paired_change "$c")
    rss=$(awk -F'\t' -v c="$c" 'NR > 1 && $1 == c && $9 != "" { if ($9 > r) r = $9; if ($10 > h) h = $10 } END { if (r) printf "%.0f / %.0f", r / 1024, h / 1024 }' "$out/net.tsv")
    awk -v c="$c" -v m="$m" -v sd="$sd" -v b="$base_mean" -v rt="$rt" -v ev="$ev" -v lost="$lost" -v cpu="$cpu" -v rss="$rss" -v n="$n" -v others="$others" \
      -v pmean="$pmean" -v pci="$pci" -v pmed="$pmed" \
      'BEGIN {
        base = c == "baseline"
        change = base ? "-" : sprintf("%+.1f%%", 100 * (m - b) / b)
        paired = base || pmean == "nan" ? "-" : sprintf("%+.1f%% ± %.1f", pmean, pci)
        median = base || pmed == "nan" ? "-" : sprintf("%+.1f%%", pmed)
        printf "| %s (n=%d) | %.2f | %.2f | %s | %s | %s | %.0f | %s | %s | %s | %s | %.0f |\n", c, n, m / 1e9, sd / 1e9, change, paired,
          median, rt, (ev == "nan" ? "-" : sprintf("%.0f", ev)), (base ? "-" : lost), (cpu == "nan" ? "-" : sprintf("%.1f", cpu)),
          (rss == "" ? "-" : rss), others
      }'
  done
} >"$out/net.md"
{
  echo
  echo "$(cat "$out/net-quiet.txt"). Other work's CPU %: CPU used by processes outside this run during each iperf3 run, in % of one CPU (of 200), a lower bound."
  echo "events/s of pt-match-summary and pt-match-drops: the matched hits the kernel counted (none or only drops were streamed)."
  echo "Attach (ms) of the packettrace runs: $(awk -F'\t' 'NR > 1 && $11 != "" { printf "%s ", $11 }' "$out/net.tsv")"
} >>"$out/net.md"
cat "$out/net.md" "$out/probe-cost.md"
