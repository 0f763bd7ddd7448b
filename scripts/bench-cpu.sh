#!/usr/bin/env bash
# The job's own CPU per document, per operator (docs/performance.md, "The job's own CPU"):
# `bench pipeline` with a tiny random model, three runs of each setup, the median of each line.
#   scripts/bench-cpu.sh            # DOCS=40000 RUNS=3 by default; logs in target/bench-cpu/
set -euo pipefail
cd "$(dirname "$0")/.."
docs=${DOCS:-40000}
runs=${RUNS:-3}
model=target/tiny-model
out=target/bench-cpu
mkdir -p "$out"
[ -f target/nag-selector.jar ] || ./mvnw -B -q -DskipTests package
[ -f "$model/config.json" ] || ./mvnw -B -q -pl core test-compile surefire:test \
  -Dtest=TinyModelWriterTest -Dnag.tiny-model.write="$model"

run_setup() { # name, then NAME=value settings
  local name=$1
  shift
  for r in $(seq 1 "$runs"); do
    env "$@" java -jar target/nag-selector.jar bench pipeline \
      --model "$model" --docs "$docs" --warm-up 2000 --no-bare >"$out/$name-$r.log" 2>&1
  done
  echo "== $name: median of $runs runs of $docs documents, CPU ms per document"
  # "  cpu SHARE  ms  group" lines, and the totals line
  grep -h -E '^  cpu |^cpu-job-total' "$out/$name"-*.log |
    sed -E 's/^cpu-job-total ([0-9.]+) ms\/doc.*/  cpu TOTAL \1 ms  the job'"'"'s own threads/' |
    awk '{ v = $3; $1 = $2 = $3 = $4 = ""; sub(/^ +/, ""); print $0 "\t" v }' |
    sort -t$'\t' -k1,1 -k2,2g |
    awk -F'\t' '{ g[$1] = g[$1] " " $2; n[$1]++ }
      END { for (k in g) { split(substr(g[k], 2), a, " "); printf "%8.4f  %s\n", a[int((n[k] + 1) / 2)], k } }' |
    sort -rg
  grep -h "^whole job" "$out/$name"-*.log | sed "s/^/  /"
}

dataset=$(mktemp -d)
trap 'rm -rf "$dataset"' EXIT
run_setup all-stages NAG_DEDUPE_NEAR_ENABLED=true
run_setup near-duplicates-off NAG_DEDUPE_NEAR_ENABLED=false
run_setup dataset-on NAG_DEDUPE_NEAR_ENABLED=true NAG_DATASET_PATH="file://$dataset"
