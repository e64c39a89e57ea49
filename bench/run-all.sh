#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Every benchmark, one after the other (~12 minutes): builds once, then decode.sh, attach.sh, net.sh.
# Usage: sudo bench/run-all.sh
# Results: bench/out/<UTC time>/results.md (machine, then each benchmark's table) and the raw files next to it.
set -euo pipefail
. "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/lib/common.sh"

need_root "bench/run-all.sh"
raise_priority
export BENCH_OUT
BENCH_OUT=$(out_dir)
log "results in $BENCH_OUT"

log "building node-agent (bin/packettrace) and the JMH benchmarks"
(cd "$repo_dir" && ./mvnw -q -B -f bench/pom.xml package -DskipTests)
export BENCH_SKIP_BUILD=1

started=$(now_ns)
"$bench_dir/decode.sh"
"$bench_dir/attach.sh"
"$bench_dir/net.sh"

{
  echo "# packettrace benchmark run"
  echo
  machine_info
  echo "- total bench time: $((($(now_ns) - started) / 1000000000)) s"
  echo
  echo "## Decoding plus JSON writing to a file, one core"
  echo
  cat "$BENCH_OUT/decode.md"
  echo
  echo "## Attach time"
  echo
  cat "$BENCH_OUT/attach.md"
  echo
  echo "## TCP throughput across a veth pair (iperf3)"
  echo
  cat "$BENCH_OUT/net.md"
  echo
  echo "### Where the non-matching tracers' time goes (kernel BPF statistics)"
  echo
  cat "$BENCH_OUT/probe-cost.md"
} >"$BENCH_OUT/results.md"
cat "$BENCH_OUT/results.md"
