#!/usr/bin/env bash
# make bench: builds the release artifacts and runs every benchmark on loopback, each writing its
# JSON result into <cargo target dir>/bench/, then bench/report.mjs rewrites BENCHMARKS.md from
# them. BENCH_ONLY=http,coldstart (a comma-separated subset of the parts below) runs only those
# parts and the builds they need; the other sections keep their last results. The settings of
# each part are listed in BENCHMARKS.md ("The run").
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$root"

parts=core,sizes,browser,http,coldstart,ratelimit,cache,console
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
started=$SECONDS

# Debian's wrk, the load generator of the http part.
if wants http && ! command -v wrk >/dev/null 2>&1; then
  section "installing wrk (apt)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
fi

if wants sizes http coldstart ratelimit cache console; then
  section "build: worker (release)"
  scripts/build-worker.sh >/dev/null
fi
if wants sizes browser; then
  section "build: browser module (release)"
  scripts/build-pkg.sh
fi
if wants console; then
  section "build: console"
  scripts/build-console.sh >/dev/null
fi

if wants core; then
  section "core: parse + validate + render (criterion)"
  cargo bench --bench core -- --warm-up-time 1 --measurement-time 3
  node bench/core.mjs
fi
if wants sizes; then
  section "sizes: worker (wrangler deploy --dry-run), browser module (gzip -9)"
  node bench/sizes.mjs
fi
if wants browser; then
  section "browser: addParticipants validation in headless Chromium"
  node bench/browser.mjs
fi
if wants http; then
  section "http: groupgate against the JS baselines (wrk)"
  node bench/http.mjs
fi
if wants coldstart; then
  section "cold start"
  node bench/coldstart.mjs
fi
if wants ratelimit; then
  section "rate limiting: KV operations and added latency"
  node scripts/bench-ratelimit.mjs "${BENCH_N:-400}"
fi
if wants cache; then
  section "group cache: upstream calls per 1,000 client reads, hit latency"
  node scripts/bench-cache.mjs "${BENCH_CACHE_READS:-1000}" "${BENCH_CACHE_CHANGE_EVERY:-25}"
fi
if wants console; then
  section "console page weight"
  node scripts/bench-console.mjs
fi

section "BENCHMARKS.md"
node bench/report.mjs
echo "make bench: $((SECONDS - started)) s"
