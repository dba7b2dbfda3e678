#!/usr/bin/env bash
# Builds baselines (d) and (e) (bench/rust-read/lib.rs) into build/rust-read/ and
# build/rust-read-core/ (under the repository, where Miniflare loads modules from) as
# scripts/build-worker.sh builds the Worker: release wasm, wasm-bindgen's glue (`--target module`),
# wasm-opt -Oz, and entry.js bundled with the glue by esbuild into index.js.
set -euo pipefail
source "$(dirname "$0")/../../scripts/env.sh"
# A target directory of its own: beside the Worker's builds, cargo took the `worker`-featured
# groupgate for (e)'s (one crate under two feature sets, and two global allocators).
target_dir=${CARGO_TARGET_DIR:-$root/target}/rust-read
crate="$root/bench/rust-read"

build() { # build <name> [cargo options...]: the Worker build/<name>/index.js
  local out="$root/build/$1" staging="$target_dir/$1-staging"
  shift
  cargo build --locked --release --target wasm32-unknown-unknown --manifest-path "$crate/Cargo.toml" \
    --target-dir "$target_dir" "$@"
  rm -rf "$out" "$staging" && mkdir -p "$out" "$staging"
  "$WASM_BINDGEN_BIN" "$target_dir/wasm32-unknown-unknown/release/rust_read.wasm" --out-dir "$staging" \
    --out-name index --target module --no-typescript
  sed -i 's/^import source /import /' "$staging/index.js"
  wasm-opt --enable-reference-types --enable-bulk-memory --enable-sign-ext --enable-mutable-globals \
    --enable-nontrapping-float-to-int --enable-multivalue -Oz --strip-debug "$staging/index_bg.wasm" -o "$out/index_bg.wasm"
  cp "$crate/entry.js" "$staging/entry.js"
  "$ESBUILD_BIN" "$staging/entry.js" --bundle --format=esm --minify --log-level=warning \
    --external:./index_bg.wasm --outfile="$out/index.js"
}

build rust-read
build rust-read-core --features core
