#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Attach time of the tracepoint backend, and the same for the bpftrace peer. RUNS=10 by default (~1 minute).
# Usage: sudo bench/attach.sh
#
# packettrace: "Attached N probes with the tracepoint backend (...) in X ms" on stderr; X covers opening the BPF
# object, reading the kernel's BTF, loading (verifier) and attaching every program, from TracerSession.start on.
# Also measured: wall time from starting bin/packettrace to that line (JVM start, class loading, flag parsing
# included), taken by stamping stderr lines as they arrive. Three JVM setups, through PACKETTRACE_JAVA_OPTIONS:
#   default    bin/packettrace as it is (--backend auto; its JVM options: $LAUNCHER_JVM_OPTIONS below)
#   tracepoint the same with --backend tracepoint (auto first rules out the function-level backends)
#   jvm       $ALT_JVM_OPTIONS instead (default empty: the JVM's own sizing and collector)
#   aot       the launcher's options plus -XX:AOTCache, a JDK 25 ahead-of-time cache made by one training run here
# bpftrace: wall time from starting it until bpftool lists all 15 of its tracepoint attachments (polled every
# ~20 ms plus the time one bpftool call takes, so it is an upper bound by a few tens of ms).
# The four are interleaved run by run. Writes attach.tsv and attach.md to the output directory.
set -euo pipefail
. "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/lib/common.sh"

RUNS=${RUNS:-10}
ALT_JVM_OPTIONS=${ALT_JVM_OPTIONS:-}
# what bin/packettrace passes when PACKETTRACE_JAVA_OPTIONS is unset
LAUNCHER_JVM_OPTIONS=$(launcher_jvm_options)
need_root "bench/attach.sh"
raise_priority
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
aot="$work/packettrace.aot"

log "training run for the AOT cache ($aot)"
PACKETTRACE_JAVA_OPTIONS="$LAUNCHER_JVM_OPTIONS -XX:AOTCacheOutput=$aot" "$repo_dir/bin/packettrace" trace \
  --filter-netns "inode:$nomatch_inode" --duration 2s --output-file /dev/null >"$work/training.log" 2>&1 ||
  die "the AOT training run failed: $(tail -n 5 "$work/training.log")"
[ -f "$aot" ] || die "the AOT training run wrote no $aot: $(tail -n 5 "$work/training.log")"

printf 'variant\trun\tinternal_ms\twall_ms\n' >"$out/attach.tsv"
wait_quiet "${BENCH_QUIET_WAIT:-60}" >"$out/attach-quiet.txt"
log "$(cat "$out/attach-quiet.txt")"
others_snapshot "$work/others.0"
t_start=$(now_ns)

stamped_attached() {
  kill -0 "$pid" 2>/dev/null || die "packettrace exited before attaching: $(cat "$work/err")"
  grep -q ' Attached ' "$work/err"
}
# measure_packettrace VARIANT RUN
measure_packettrace() {
  rm -f "$work/err"
  local t0 t1 internal backend=auto
  case $1 in
    default) unset PACKETTRACE_JAVA_OPTIONS ;;
    tracepoint) unset PACKETTRACE_JAVA_OPTIONS; backend=tracepoint ;;
    jvm) export PACKETTRACE_JAVA_OPTIONS=$ALT_JVM_OPTIONS ;;
    aot) export PACKETTRACE_JAVA_OPTIONS="$LAUNCHER_JVM_OPTIONS -XX:AOTCache=$aot" ;;
    *) die "unknown variant $1" ;;
  esac
  t0=$(now_ns)
  # Each stderr line is stamped when it arrives; the launcher execs java, so $! is the JVM.
  "$repo_dir/bin/packettrace" trace --backend "$backend" --filter-netns "inode:$nomatch_inode" \
    --output-file /dev/null 2> >(while IFS= read -r line; do echo "$(now_ns) $line"; done >"$work/err") &
  pid=$!
  wait_for 60 "packettrace ($1) run $2 to attach" stamped_attached
  stop_process "$pid" TERM || true
  pid=""
  read -r t1 internal < <(sed -n 's/^\([0-9]*\) Attached .* in \([0-9]*\) ms$/\1 \2/p' "$work/err")
  [ -n "$internal" ] || die "no 'Attached ... in X ms' line from packettrace ($1): $(cat "$work/err")"
  printf '%s\t%d\t%s\t%d\n' "$1" "$2" "$internal" $(((t1 - t0) / 1000000)) >>"$out/attach.tsv"
}

bpftrace_attached() {
  kill -0 "$pid" 2>/dev/null || die "bpftrace exited: $(cat "$work/err")"
  [ "$(bpftool perf show -j 2>/dev/null | jq --argjson p "$pid" '[.[] | select(.pid == $p and .fd_type == "tracepoint")] | length')" -ge 15 ]
}
measure_bpftrace() {
  local t0 t1
  t0=$(now_ns)
  bpftrace -o /dev/null "$bench_dir/net/peer-netns.bt" "$nomatch_inode" >/dev/null 2>"$work/err" &
  pid=$!
  wait_for 60 "bpftrace run $1 to attach" bpftrace_attached
  t1=$(now_ns)
  stop_process "$pid" INT || true
  pid=""
  printf 'bpftrace\t%d\t\t%d\n' "$1" $(((t1 - t0) / 1000000)) >>"$out/attach.tsv"
}

for ((run = 1; run <= RUNS; run++)); do
  for v in default tracepoint jvm aot; do
    measure_packettrace "$v" "$run"
  done
  measure_bpftrace "$run"
done
others_snapshot "$work/others.1"
others=$(others_pct "$work/others.0" "$work/others.1" "$((($(now_ns) - t_start) / 1000000000))")

summary() { # summary VARIANT COLUMN -> "mean / median / min / max | all runs"
  awk -F'\t' -v t="$1" -v k="$2" 'NR > 1 && $1 == t && $k != "" { print $k }' "$out/attach.tsv" | sort -n |
    awk '{ x[NR] = $1; s += $1 } END { printf "%.0f / %s / %s / %s", s / NR, (NR % 2 ? x[(NR + 1) / 2] : (x[NR / 2] + x[NR / 2 + 1]) / 2), x[1], x[NR] }'
  printf ' | %s' "$(awk -F'\t' -v t="$1" -v k="$2" 'NR > 1 && $1 == t { printf "%s ", $k }' "$out/attach.tsv")"
}
{
  echo "| measurement ($RUNS runs each, interleaved) | mean / median / min / max (ms) | all runs, in order (ms) |"
  echo "| --- | ---: | --- |"
  for v in default tracepoint jvm aot; do
    case $v in
      default) label="--backend auto, launcher's options ($LAUNCHER_JVM_OPTIONS)" ;;
      tracepoint) label="--backend tracepoint, launcher's options" ;;
      jvm) label="JVM options: '${ALT_JVM_OPTIONS}'${ALT_JVM_OPTIONS:+ }(empty: JVM defaults)" ;;
      aot) label="launcher's options + AOT cache" ;;
    esac
    echo "| packettrace \"Attached ... in X ms\", $label | $(summary "$v" 3) |"
    echo "| packettrace process start to that line, $label | $(summary "$v" 4) |"
  done
  echo "| bpftrace peer: process start to 15 tracepoints attached | $(summary bpftrace 4) |"
  echo
  echo "$(cat "$out/attach-quiet.txt"). Other work on the machine during the runs: ${others}% of one CPU (lower bound)."
} >"$out/attach.md"
cat "$out/attach.md"
