#!/usr/bin/env bash
# make soak: builds the worker, runs scripts/soak.mjs (SOAK_SECONDS, default 180; SOAK_CLIENTS,
# default 6) on loopback, and rewrites the `faults` and `soak` sections of SECURITY.md. Stops by
# itself; fails if the soak saw an undocumented 5xx, an unexpected answer or a quota exceeded.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$root"
scripts/build-worker.sh
node scripts/fault-table.mjs
timeout --signal=INT "$(( ${SOAK_SECONDS:-180} + 120 ))" node scripts/soak.mjs
