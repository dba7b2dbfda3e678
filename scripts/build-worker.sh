#!/usr/bin/env bash
# Builds the worker (feature `worker`) into build/: the library compiled to wasm, wasm-bindgen's
# glue for it (`--target module`, with the reset-state function and abort handler a replaced
# instance needs), the wasm optimized for size with wasm-opt, and the Worker's own module
# (src/worker/entry.js) bundled with the glue by esbuild into build/index.js.
# KEEP_NAMES=1 keeps the wasm's name section, for scripts/wasm-sizes.mjs.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$root"
target_dir=${CARGO_TARGET_DIR:-$root/target}
cargo build --lib --release --target wasm32-unknown-unknown --features worker
staging="$target_dir/worker-staging"
rm -rf "$staging"
mkdir -p "$staging" build
"$WASM_BINDGEN_BIN" "$target_dir/wasm32-unknown-unknown/release/groupgate.wasm" --out-dir "$staging" \
  --out-name index --target module --no-typescript --experimental-reset-state-function --force-enable-abort-handler
# The wasm features workerd runs, so nothing newer is emitted.
features=(mutable-globals sign-ext nontrapping-float-to-int bulk-memory multivalue reference-types exception-handling)
names=(--strip-debug)
if [ "${KEEP_NAMES:-0}" = 1 ]; then names=(--debuginfo); fi
# A function with one caller is inlined only when it is as small as any inlined function (-Oz's
# default inlines all of them: the request's whole future became one function of over 100 KB,
# whose code compresses worse than its parts do: 8 KiB more gzip for 9 KB less raw).
# --converge repeats the passes while they still shrink the code (0.2 KiB gzip for a few seconds).
# --low-memory-unused lets constant address offsets fold into loads and stores (0.35 KiB gzip): Rust
# never touches the first KiB of memory (its stack grows down from 1 MiB, its data lies above).
wasm-opt "${features[@]/#/--enable-}" -Oz --one-caller-inline-max-function-size 20 --converge --low-memory-unused "${names[@]}" \
  --strip-producers \
  "$staging/index_bg.wasm" -o build/index_bg.wasm
# entry.js imports batched.js, which the glue imports as a wasm-bindgen snippet: the same file, so
# that the bundle holds it once.
batched=$(cd "$staging" && ls snippets/*/src/worker/batched.js)
sed "s#from './batched.js'#from './$batched'#" src/worker/entry.js > "$staging/entry.js"
grep -q "from './$batched'" "$staging/entry.js"
# workerd imports a wasm module as `import module from "….wasm"` (no source-phase import).
sed -i 's/^import source /import /' "$staging/index.js"
"$ESBUILD_BIN" "$staging/entry.js" --bundle --format=esm --minify --log-level=warning \
  --log-override:duplicate-object-key=silent --external:./index_bg.wasm --external:'cloudflare:*' \
  --outfile=build/index.js
printf '*\n' > build/.gitignore
