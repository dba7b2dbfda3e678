#!/usr/bin/env bash
# make bench: the core benchmark (criterion), the browser module's sizes, the rate limiter's
# KV operations and added latency, the group cache's upstream-call saving and hit latency, and the
# console's page weight; each benchmark script writes its own section of BENCHMARKS.md.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$root"

printf '\n=== core: parse + validate + render (criterion) ===\n'
cargo bench --bench core -- --warm-up-time 1 --measurement-time 3

printf '\n=== browser module size (make pkg, gzip -9) ===\n'
scripts/build-pkg.sh >/dev/null
for file in pkg/groupgate_bg.wasm pkg/groupgate.js; do
  printf '%-24s %8d B  %8d B gzip\n' "$(basename "$file")" "$(wc -c < "$file")" "$(gzip -9c "$file" | wc -c)"
done

printf '\n=== rate limiting: KV operations and added latency ===\n'
scripts/build-worker.sh >/dev/null
node scripts/bench-ratelimit.mjs "${BENCH_N:-400}"

printf '\n=== group cache: upstream calls per 1,000 client reads, hit latency ===\n'
node scripts/bench-cache.mjs "${BENCH_CACHE_READS:-1000}" "${BENCH_CACHE_CHANGE_EVERY:-25}"
printf '\n=== console page weight (written into BENCHMARKS.md) ===\n'
scripts/build-console.sh >/dev/null
node scripts/bench-console.mjs
