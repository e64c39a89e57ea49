# SPDX-License-Identifier: Apache-2.0
# Sourced by the bench scripts: paths, checks and small helpers. Bash only.
# shellcheck shell=bash

bench_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
repo_dir=$(cd -- "$bench_dir/.." && pwd)

die() {
  echo "bench: $*" >&2
  exit 1
}

log() {
  echo "bench: $*" >&2
}

need_root() {
  [ "$(id -u)" -eq 0 ] || die "$1 needs root (BPF programs, network namespaces); run it with sudo"
}

# need_cmd COMMAND DEBIAN_PACKAGE
need_cmd() {
  command -v "$1" >/dev/null 2>&1 || die "'$1' not found; install it with: apt-get install $2"
}

need_built_cli() {
  { [ -f "$repo_dir/node-agent/target/packettrace-node-agent.jar" ] && [ -d "$repo_dir/node-agent/target/lib" ]; } ||
    die "the CLI is not built; run: cd $repo_dir && ./mvnw -q -B package -DskipTests"
}

# The output directory of this run: $BENCH_OUT if set (run-all.sh sets it), else bench/out/<UTC time>.
out_dir() {
  local dir=${BENCH_OUT:-$bench_dir/out/$(date -u +%Y%m%dT%H%M%SZ)}
  mkdir -p "$dir"
  echo "$dir"
}

now_ns() {
  date +%s%N
}

# wait_for SECONDS WHAT COMMAND...: polls COMMAND until it succeeds; dies naming WHAT after SECONDS.
wait_for() {
  local seconds=$1 what=$2
  shift 2
  local deadline=$(($(now_ns) + seconds * 1000000000))
  until "$@"; do
    [ "$(now_ns)" -lt "$deadline" ] || die "timed out after ${seconds}s waiting for $what"
    sleep 0.02
  done
}

# cpu_ticks PID: user+system clock ticks the process used so far (fields 14 and 15 of /proc/PID/stat).
cpu_ticks() {
  awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# status_kib PID FIELD: a kB figure from /proc/PID/status, e.g. VmRSS, VmHWM.
status_kib() {
  awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"
}

# mean_sd: reads numbers (one a line) and prints "mean sample-stddev n".
mean_sd() {
  awk '{ x[NR] = $1; s += $1 } END {
    if (NR == 0) { print "nan nan 0"; exit }
    m = s / NR; v = 0
    for (i = 1; i <= NR; i++) v += (x[i] - m) ^ 2
    printf "%.6g %.6g %d\n", m, (NR > 1 ? sqrt(v / (NR - 1)) : 0), NR
  }'
}

# Machine description for RESULTS.md, as a Markdown list.
machine_info() {
  . "$repo_dir/bin/lib/java25.sh"
  select_java25 >/dev/null 2>&1 || true
  echo "- date (UTC): $(date -u '+%Y-%m-%d %H:%M')"
  echo "- CPU: $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), nproc: $(nproc)"
  echo "- memory: $(free -h | awk '/^Mem:/ { print $2 " total, " $7 " available" }')"
  echo "- kernel: $(uname -r)"
  echo "- Java: $("${JAVA_HOME:-/nonexistent}/bin/java" -version 2>&1 | sed -n 2p)"
  echo "- iperf3: $(iperf3 --version 2>/dev/null | head -n 1), bpftrace: $(bpftrace --version 2>/dev/null)"
  echo "- scheduling: benchmarks ran at nice ${BENCH_NICE:--20} (shared machine, see README)"
  echo "- commit: $(git -C "$repo_dir" rev-parse --short HEAD 2>/dev/null)$(git -C "$repo_dir" diff --quiet 2>/dev/null || echo ' (with local changes)')"
}

# cpu_busy_pct SECONDS: how busy all CPUs were over the next SECONDS (from /proc/stat; steal counts as busy).
cpu_busy_pct() {
  local a b
  a=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6 }' /proc/stat)
  sleep "$1"
  b=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6 }' /proc/stat)
  awk -v a="$a" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " "); busy = y[1] - x[1]; idle = y[2] - x[2];
    printf "%.0f\n", (busy + idle > 0 ? 100 * busy / (busy + idle) : 0) }'
}

# wait_quiet MAX_SECONDS: the machine is shared; waits until other work leaves the CPUs mostly idle (under 15%
# busy over 2 s), at most MAX_SECONDS, then goes on either way. Prints what it found for the results.
wait_quiet() {
  local deadline=$(($(now_ns) + $1 * 1000000000)) busy
  while :; do
    busy=$(cpu_busy_pct 2)
    if [ "$busy" -lt 15 ]; then
      echo "CPUs ${busy}% busy before start (quiet)"
      return 0
    fi
    if [ "$(now_ns)" -ge "$deadline" ]; then
      echo "CPUs ${busy}% busy before start: NOT quiet after waiting $1 s (other work on the machine); figures are disturbed"
      return 0
    fi
    log "CPUs ${busy}% busy with other work; waiting for quiet (up to $1 s)"
  done
}

# Load average and the busiest processes right now, for the record.
load_note() {
  echo "loadavg $(cut -d' ' -f1-3 /proc/loadavg); busiest: $(ps -eo pcpu=,comm= --sort=-pcpu | head -n 4 | awk '{ printf "%s %s%%, ", $2, $1 }')"
}

# others_snapshot FILE: "pid ticks" of every user-space process outside this session (other people's work on a
# shared machine), for others_pct. Kernel threads are left out: our own traffic keeps ksoftirqd busy.
others_snapshot() {
  local sid
  sid=$(awk '{ sub(/^[0-9]+ \(.*\) /, ""); print $4 }' /proc/$$/stat)
  for f in /proc/[0-9]*/stat; do
    cat "$f" 2>/dev/null || true # it may have exited since the glob
  done | awk -v sid="$sid" '{
    pid = $1
    sub(/^[0-9]+ \(.*\) /, "")      # now $2 = ppid, $4 = session, $12 + $13 = utime + stime
    if ($2 != 2 && $2 != 0 && $4 != sid) print pid, $12 + $13
  }' >"$1"
}

# others_pct BEFORE_FILE AFTER_FILE SECONDS: CPU those processes used in between, in % of one CPU. Processes that
# exited in between are missed, so it is a lower bound.
others_pct() {
  awk -v s="$3" -v hz="$(getconf CLK_TCK)" 'NR == FNR { before[$1] = $2; next }
    { t += $2 - ($1 in before ? before[$1] : 0) }
    END { printf "%.0f", (s > 0 ? 100 * t / hz / s : 0) }' "$1" "$2"
}

# raise_priority: the machine is shared, so the benchmark (and everything it starts) runs at nice $BENCH_NICE
# (default -20) to be disturbed less by other work; BENCH_NICE=0 keeps the normal priority. Every process of a
# benchmark gets the same nice value, so their share against each other does not change.
raise_priority() {
  renice -n "${BENCH_NICE:--20}" -p $$ >/dev/null || die "cannot renice to ${BENCH_NICE:--20}"
}

# stop_process PID SIGNAL: sends SIGNAL, again every 2 s while PID lives (a signal that arrives before the process
# installed its handler is lost: background jobs of a script start with SIGINT ignored), for at most 60 s; then
# reaps it and returns its exit status. PID must be a child of this shell.
stop_process() {
  local pid=$1 signal=$2 deadline=$(($(now_ns) + 60 * 1000000000)) next=0 rc=0
  while kill -0 "$pid" 2>/dev/null && [ "$(ps -o stat= -p "$pid")" != Z ]; do
    [ "$(now_ns)" -lt "$deadline" ] || die "process $pid did not stop on SIG$signal within 60 s"
    if [ "$(now_ns)" -ge "$next" ]; then
      kill "-$signal" "$pid" 2>/dev/null || true
      next=$(($(now_ns) + 2000000000))
    fi
    sleep 0.02
  done
  wait "$pid" || rc=$?
  return "$rc"
}

# launcher_malloc_env: exports the glibc malloc settings bin/packettrace exports (MALLOC_*_), read from the
# launcher itself, for benchmarks that start a JVM without it (decode.sh's JMH forks inherit them).
launcher_malloc_env() {
  local line
  while IFS= read -r line; do
    eval "$line"
  done < <(grep -E '^export MALLOC_[A-Z_]+=' "$repo_dir/bin/packettrace")
  env | grep -q '^MALLOC_MMAP_THRESHOLD_=' || die "cannot read the malloc settings (export MALLOC_...) from bin/packettrace"
}

# launcher_jvm_options: the JVM options bin/packettrace passes when PACKETTRACE_JAVA_OPTIONS is unset, read from the
# launcher itself so that the benchmarks measure what ships.
launcher_jvm_options() {
  local options
  # shellcheck disable=SC2016 # the $ is the launcher's text to match, not to expand here
  options=$(sed -n 's/^java_options=\${PACKETTRACE_JAVA_OPTIONS-"\(.*\)"}$/\1/p' "$repo_dir/bin/packettrace")
  [ -n "$options" ] || die "cannot read the default JVM options (java_options=...) from bin/packettrace"
  echo "$options"
}
