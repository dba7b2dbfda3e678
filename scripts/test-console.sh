#!/usr/bin/env bash
# The console's Playwright tests (tests/console/) in Debian's Chromium against the built worker
# (build/, scripts/build-worker.sh) serving the built console, in front of the simulator.
# Builds the console first. Screenshots go to test-output/console/.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$root"
scripts/build-console.sh
node --test --test-reporter=spec --test-concurrency=1 tests/console/*.test.mjs
