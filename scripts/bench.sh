#!/usr/bin/env bash
# make bench: builds the release artifacts and runs every benchmark on loopback, each writing its
# JSON result into <cargo target dir>/bench/, then bench/report.mjs rewrites BENCHMARKS.md from
# them. BENCH_ONLY=http,coldstart (a comma-separated subset of the parts below) runs only those
# parts and the builds they need; the other sections keep their last results. The settings of
# each part are listed in BENCHMARKS.md ("The run"). The run is timed from its first step, the
# tools checked (and installed on a fresh machine), to the report (about a second), each step apart; a
# full run that began with no release build in the cargo target directory is also kept as the
# fresh-machine figure (`bench-cold.json`), which the report holds against its 15-minute target.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$root"
started=$SECONDS
started_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
# "name seconds" of each step, in order.
steps=()
step() { # step <name> <command...>: runs the command, its duration kept as the step's
  local name=$1 from=$SECONDS
  shift
  "$@"
  steps+=("$name $((SECONDS - from))")
}
target_dir=${CARGO_TARGET_DIR:-$root/target}
# No release build yet: the builds start from nothing, as on a fresh machine.
cold=false
[ -d "$target_dir/wasm32-unknown-unknown/release" ] || [ -d "$target_dir/release" ] || cold=true

parts=core,sizes,browser,http,paired,coldstart,profile,ratelimit,cache,console
only=${BENCH_ONLY:-$parts}
for part in ${only//,/ }; do
  [[ ",$parts," == *",$part,"* ]] || { echo "BENCH_ONLY: unknown part '$part' (parts: $parts)" >&2; exit 2; }
done
wants() { # wants <part>...: is one of them selected?
  local part
  for part in "$@"; do [[ ",$only," == *",$part,"* ]] && return 0; done
  return 1
}
section() { printf '\n=== %s ===\n' "$*"; }

# What the tools step installed, one per line: what the machine lacked.
export INSTALL_TOOLS_LOG="$target_dir/bench-installed.txt"
mkdir -p "$target_dir"
: > "$INSTALL_TOOLS_LOG"
section "tools: the pinned toolchain and wrk (scripts/install-tools.sh bench)"
step tools scripts/install-tools.sh bench

if wants sizes http paired coldstart profile ratelimit cache console; then
  section "build: worker (release)"
  step build-worker scripts/build-worker.sh >/dev/null
fi
if wants paired; then
  section "build: baselines (d) and (e) (release)"
  step build-baselines bench/rust-read/build.sh >/dev/null
fi
if wants sizes browser; then
  section "build: browser module (release)"
  step build-pkg scripts/build-pkg.sh
fi
if wants console; then
  section "build: console"
  step build-console scripts/build-console.sh >/dev/null
fi

run() { # run <part> <title> <command...>: the part, when it is selected
  local part=$1 title=$2
  shift 2
  wants "$part" || return 0
  section "$part: $title"
  step "$part" "$@"
}
core_bench() {
  cargo bench --bench core -- --warm-up-time 1 --measurement-time 3
  node bench/core.mjs
}
run core "parse + validate + render (criterion)" core_bench
run sizes "worker (wrangler deploy --dry-run), browser module (gzip -9)" node bench/sizes.mjs
run browser "addParticipants validation in headless Chromium" node bench/browser.mjs
run http "groupgate against the JS baselines (wrk)" node bench/http.mjs
run paired "groupgate and a baseline loaded at once, one CPU shared (per-request CPU)" node bench/paired.mjs
run coldstart "a new isolate to its first answer" node bench/coldstart.mjs
run profile "where the Worker's time goes (CPU profile)" node bench/profile.mjs --bench
run ratelimit "KV operations and added latency" node scripts/bench-ratelimit.mjs "${BENCH_N:-400}"
run cache "upstream calls per 1,000 client reads, hit latency" \
  node scripts/bench-cache.mjs "${BENCH_CACHE_READS:-1000}" "${BENCH_CACHE_CHANGE_EVERY:-25}"
run console "page weight" node scripts/bench-console.mjs

section "BENCHMARKS.md"
node --input-type=module -e "import { readFileSync } from 'node:fs';
  import { writeResult } from './bench/lib.mjs';
  const [startedAt, parts, seconds, cold, full, ...steps] = process.argv.slice(1);
  const installed = readFileSync(process.env.INSTALL_TOOLS_LOG, 'utf8').split('\n').filter(Boolean);
  const run = {
    startedAt, parts: parts.split(','), seconds: Number(seconds), coldTarget: cold === 'true', installed,
    steps: steps.map((line) => line.split(' ')).map(([name, s]) => ({ name, seconds: Number(s) })),
  };
  writeResult('run', run);
  if (run.coldTarget && full === 'true') writeResult('bench-cold', run);" \
  "$started_at" "$only" "$((SECONDS - started))" "$cold" "$([ "$only" = "$parts" ] && echo true || echo false)" "${steps[@]}"
node bench/report.mjs
echo "make bench: $((SECONDS - started)) s"
