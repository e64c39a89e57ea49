#!/usr/bin/env bash
# Attach time of the tracepoint backend, and the same for the bpftrace peer. RUNS=10 by default (~40 s).
# Usage: sudo bench/attach.sh
#
# packettrace: "Attached N probes with the tracepoint backend (...) in X ms" on stderr; X covers opening the BPF
# object, reading the kernel's BTF, loading (verifier) and attaching every program, from TracerSession.start on.
# Also measured here: wall time from starting bin/packettrace to that line (JVM start, class loading, flag parsing
# included), taken by timestamping stderr lines as they arrive.
# bpftrace: wall time from starting it until bpftool lists all 16 of its tracepoint attachments (polled every
# ~20 ms plus the time one bpftool call takes, so it is an upper bound by a few tens of ms).
# Writes attach.tsv and attach.md to the output directory.
set -euo pipefail
. "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/lib/common.sh"

RUNS=${RUNS:-10}
need_root "bench/attach.sh"
need_cmd bpftrace bpftrace
need_cmd bpftool bpftool
need_cmd jq jq
need_built_cli
out=$(out_dir)
work=$(mktemp -d "${TMPDIR:-/tmp}/ptattach.XXXXXX")
pid=""
mounted_tracefs=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  [ -z "$mounted_tracefs" ] || umount /sys/kernel/tracing 2>/dev/null || true
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
if [ ! -d /sys/kernel/tracing/events/skb ]; then
  mount -t tracefs tracefs /sys/kernel/tracing
  mounted_tracefs=1
fi

# A namespace inode nothing uses: the filter matches no packet, so nothing but attaching happens.
nomatch_inode=1

printf 'tool\trun\tinternal_ms\twall_ms\n' >"$out/attach.tsv"
wait_quiet "${BENCH_QUIET_WAIT:-300}" >"$out/attach-quiet.txt"
log "$(cat "$out/attach-quiet.txt")"
others_snapshot "$work/others.0"
t_start=$(now_ns)

stamped_attached() { grep -q ' Attached ' "$work/err"; }
for ((run = 1; run <= RUNS; run++)); do
  rm -f "$work/err"
  t0=$(now_ns)
  # Each stderr line is stamped when it arrives; the launcher execs java, so $! is the JVM.
  "$repo_dir/bin/packettrace" trace --filter-netns "inode:$nomatch_inode" --output-file /dev/null \
    2> >(while IFS= read -r line; do echo "$(now_ns) $line"; done >"$work/err") &
  pid=$!
  wait_for 60 "packettrace run $run to attach" stamped_attached
  kill -TERM "$pid"
  wait "$pid" || true
  pid=""
  read -r t1 internal < <(sed -n 's/^\([0-9]*\) Attached .* in \([0-9]*\) ms$/\1 \2/p' "$work/err")
  [ -n "$internal" ] || die "no 'Attached ... in X ms' line from packettrace: $(cat "$work/err")"
  printf 'packettrace\t%d\t%s\t%d\n' "$run" "$internal" $(((t1 - t0) / 1000000)) >>"$out/attach.tsv"
done

bpftrace_attached() {
  kill -0 "$pid" 2>/dev/null || die "bpftrace exited: $(cat "$work/err")"
  [ "$(bpftool perf show -j 2>/dev/null | jq --argjson p "$pid" '[.[] | select(.pid == $p and .fd_type == "tracepoint")] | length')" -ge 16 ]
}
for ((run = 1; run <= RUNS; run++)); do
  t0=$(now_ns)
  bpftrace -o /dev/null "$bench_dir/net/peer-netns.bt" "$nomatch_inode" 2>"$work/err" &
  pid=$!
  wait_for 60 "bpftrace run $run to attach" bpftrace_attached
  t1=$(now_ns)
  kill -INT "$pid"
  wait "$pid" || true
  pid=""
  printf 'bpftrace\t%d\t\t%d\n' "$run" $(((t1 - t0) / 1000000)) >>"$out/attach.tsv"
done

others_snapshot "$work/others.1"
others=$(others_pct "$work/others.0" "$work/others.1" "$(( ($(now_ns) - t_start) / 1000000000 ))")

summary() { # summary TOOL COLUMN -> "mean / median / min / max"
  awk -F'\t' -v t="$1" -v k="$2" 'NR > 1 && $1 == t && $k != "" { print $k }' "$out/attach.tsv" | sort -n |
    awk '{ x[NR] = $1; s += $1 } END { printf "%.0f / %s / %s / %s", s / NR, (NR % 2 ? x[(NR + 1) / 2] : (x[NR / 2] + x[NR / 2 + 1]) / 2), x[1], x[NR] }'
}
{
  echo "| measurement ($RUNS runs) | mean / median / min / max (ms) | all runs (ms) |"
  echo "| --- | ---: | --- |"
  echo "| packettrace: \"Attached ... in X ms\" (load + verify + attach 18 programs) | $(summary packettrace 3) | $(awk -F'\t' '$1 == "packettrace" { printf "%s ", $3 }' "$out/attach.tsv") |"
  echo "| packettrace: process start to that line (JVM start included) | $(summary packettrace 4) | $(awk -F'\t' '$1 == "packettrace" { printf "%s ", $4 }' "$out/attach.tsv") |"
  echo "| bpftrace peer: process start to 16 tracepoints attached | $(summary bpftrace 4) | $(awk -F'\t' '$1 == "bpftrace" { printf "%s ", $4 }' "$out/attach.tsv") |"
  echo
  echo "$(cat "$out/attach-quiet.txt"). Other work on the machine during the runs: ${others}% of one CPU (lower bound)."
} >"$out/attach.md"
cat "$out/attach.md"
