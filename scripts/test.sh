#!/usr/bin/env bash
# Runs every test tier, prints each tier's count, and fails if any tier fails or runs no test.
#   1. native:  cargo test (core: types, routing, validation, rate-limit arithmetic)
#   2. e2e:     the built worker in workerd (Miniflare) with local KV, in front of the simulator;
#               then no key in any response or log line it recorded (tests/secrets/scan.test.mjs)
#      contract: schemathesis against that worker, from its own /openapi.json (bounded examples)
#   3. browser: wasm-pack test in headless Chromium against that stack (real HTTP, CORS)
#   4. package: pkg/ (built before the e2e tier, with the static assets), its .d.ts type-checked
#               by a strict TypeScript consumer, npm pack listing
#   5. console: the admin console served by the worker, driven in Chromium by playwright-core
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$root"
logs=$(mktemp -d)
declare -A counts

tier() { printf '\n=== %s ===\n' "$1"; }
need() { # need <tier> <count>: a tier that ran no test fails the run
  counts[$1]=$2
  if [ "${2:-0}" -le 0 ]; then echo "FAIL: tier '$1' ran no test" >&2; exit 1; fi
}

tier "native: cargo test"
cargo test --color never 2>&1 | tee "$logs/native"
need native "$(awk '/^test result: ok\./ {s += $4} END {print s + 0}' "$logs/native")"

tier "build: worker, npm package, static assets (console, OpenAPI template)"
scripts/build-worker.sh
scripts/build-pkg.sh
scripts/build-console.sh

tier "e2e: worker in workerd + WAHA simulator, then the secrets scan of what it answered and logged"
mkdir "$logs/record"
export GROUPGATE_E2E_RECORD="$logs/record"
node --test --test-reporter=spec --test-concurrency=1 tests/e2e/*.test.mjs sim/*.test.mjs 2>&1 | tee "$logs/e2e"
node --test --test-reporter=spec tests/secrets/scan.test.mjs 2>&1 | tee "$logs/secrets"
unset GROUPGATE_E2E_RECORD
need e2e "$(awk '/^ℹ pass / {s += $3} END {print s + 0}' "$logs/e2e" "$logs/secrets")"

tier "contract: schemathesis against the worker in workerd, from its /openapi.json"
# A fixed seed and a bounded number of examples per operation keep the tier quick and repeatable;
# `make fuzz-api` runs it at length with fresh seeds.
node scripts/schemathesis.mjs --max-examples 20 --workers 1 --seed 1 2>&1 | tee "$logs/contract"
need contract "$(awk '/^schemathesis: [0-9]+ passed, 0 failed/ {print $2}' "$logs/contract")"

tier "browser: wasm-pack test --headless --chrome"
scripts/check-browser-tests.sh
node scripts/with-stack.mjs -- wasm-pack test --headless --chrome --features browser --test browser 2>&1 | tee "$logs/browser"
need browser "$(awk '/^test result: ok\./ {s += $4} END {print s + 0}' "$logs/browser")"

tier "package: pkg/, TypeScript consumer, npm pack"
scripts/check-pkg.sh 2>&1 | tee "$logs/pkg"
need package "$(awk '/^package checks: / {print $3}' "$logs/pkg")"

tier "console: Playwright in Chromium against the worker serving the console"
scripts/test-console.sh 2>&1 | tee "$logs/console"
need console "$(awk '/^ℹ pass / {print $3}' "$logs/console")"

total=0
printf '\n=== summary ===\n'
for t in native e2e contract browser package console; do
  printf '%-8s %s passed\n' "$t:" "${counts[$t]}"
  total=$((total + counts[$t]))
done
echo "total: $total passed, 0 failed"
