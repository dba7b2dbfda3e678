#!/usr/bin/env bash
# Builds the worker (feature `worker`) into build/ with worker-build and the local tools.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$root"
worker-build --release --features worker
