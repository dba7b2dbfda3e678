#!/usr/bin/env bash
# Builds the worker (feature `worker`) into build/ with worker-build and the local tools, then
# optimizes the wasm for size with wasm-opt: worker-build's own pass optimizes for speed and keeps
# the name section (about 160 KB of function names), which the deployed Worker does not need.
# KEEP_NAMES=1 keeps it, for scripts/wasm-sizes.mjs.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$root"
worker-build --release --no-opt --features worker
# The wasm features workerd runs (worker-build's list), so nothing newer is emitted.
features=(mutable-globals sign-ext nontrapping-float-to-int bulk-memory multivalue reference-types exception-handling)
names=(--strip-debug)
if [ "${KEEP_NAMES:-0}" = 1 ]; then names=(--debuginfo); fi
# A function with one caller is inlined only when it is as small as any inlined function (-Oz's
# default inlines all of them: the request's whole future became one function of over 100 KB,
# whose code compresses worse than its parts do: 8 KiB more gzip for 9 KB less raw).
wasm-opt "${features[@]/#/--enable-}" -Oz --one-caller-inline-max-function-size 20 "${names[@]}" --strip-producers \
  build/index_bg.wasm -o build/index_bg.wasm
