#!/usr/bin/env bash
# make openapi: writes the OpenAPI 3.1 document, generated from the operation table with the
# default limits, to openapi.json at the repository root (git-ignored: generate it on demand;
# a running Worker serves its own, with its settings, at /openapi.json).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$root"
cargo run --quiet --example openapi -- openapi.json
echo "wrote openapi.json"
