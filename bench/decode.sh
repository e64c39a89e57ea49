#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Decoding plus JSON writing to a file, on one core (taskset -c 0): the product's EventDecoder + JsonLinesWriter
# against the same events written with Jackson databind's ObjectMapper. JMH, ~1 minute.
# Usage: sudo bench/decode.sh   (root: real addresses from /proc/kallsyms; kernel BTF for drop-reason names)
# Writes decode.json (JMH's result) and decode.md (table) to the output directory (see lib/common.sh).
set -euo pipefail
. "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/lib/common.sh"

need_root "bench/decode.sh"
raise_priority
need_cmd taskset util-linux
need_cmd jq jq
. "$repo_dir/bin/lib/java25.sh"
select_java25 || exit 1
out=$(out_dir)

if [ -z "${BENCH_SKIP_BUILD:-}" ]; then
  log "building node-agent and the JMH benchmarks (bench/pom.xml)"
  (cd "$repo_dir" && ./mvnw -q -B -f bench/pom.xml package -DskipTests)
fi
jar="$bench_dir/jmh/target/benchmarks.jar"
[ -f "$jar" ] || die "$jar not found; build it with: ./mvnw -q -B -f bench/pom.xml package -DskipTests"

# The event files go to a real disk (the bench output directory), one per iteration, deleted after its check.
scratch="$out/decode-files"
mkdir -p "$scratch"
wait_quiet "${BENCH_QUIET_WAIT:-60}" >"$out/decode-quiet.txt"
log "$(cat "$out/decode-quiet.txt")"
# the forked benchmark JVM runs with the options bin/packettrace ships (heap, collector, compiler); this replaces
# the benchmark's own @Fork(jvmArgsAppend), so it repeats --enable-native-access
jvm_options=$(launcher_jvm_options)
launcher_malloc_env
log "running JMH pinned to CPU 0 (the forked benchmark JVM inherits the affinity), forks with: $jvm_options, MALLOC_MMAP_THRESHOLD_=$MALLOC_MMAP_THRESHOLD_ MALLOC_TRIM_THRESHOLD_=$MALLOC_TRIM_THRESHOLD_"
others_snapshot "$out/.others.0"
t0=$(now_ns)
taskset -c 0 "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -jar "$jar" DecodeAndWriteBenchmark \
  -jvmArgsAppend "--enable-native-access=ALL-UNNAMED $jvm_options" -p dir="$scratch" -prof gc -rf json -rff "$out/decode.json" | tee "$out/decode.log"
others_snapshot "$out/.others.1"
others=$(others_pct "$out/.others.0" "$out/.others.1" "$(( ($(now_ns) - t0) / 1000000000 ))")
rm -f "$out/.others.0" "$out/.others.1"
rmdir "$scratch" 2>/dev/null || true

# One table row per writer: events/s (score ± JMH's 99.9% error), MB/s written, bytes per event, allocation per event.
jq -r '
  def fmt(x): (x * 10 | round / 10);
  ["| writer | events/s (mean ± 99.9% CI) | MB/s to file | bytes/event | heap alloc bytes/event |",
   "| --- | ---: | ---: | ---: | ---: |"]
  + [ .[] | . as $r
      | ($r.secondaryMetrics["bytes"].score) as $bps
      | "| \($r.params.writer) | \($r.primaryMetric.score | round) ± \($r.primaryMetric.scoreError | round)"
        + " | \(fmt($bps / 1e6)) | \(fmt($bps / $r.primaryMetric.score))"
        + " | \($r.secondaryMetrics["gc.alloc.rate.norm"].score | round) |" ]
  | .[]' "$out/decode.json" > "$out/decode.md.tmp"
{
  echo
  echo "Benchmark JVM options (the launcher's): $jvm_options."
  echo "$(cat "$out/decode-quiet.txt"). Other work on the machine during the run: ${others}% of one CPU (lower bound)."
} >>"$out/decode.md.tmp"
mv "$out/decode.md.tmp" "$out/decode.md"
cat "$out/decode.md"
