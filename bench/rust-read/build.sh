#!/usr/bin/env bash
# Builds baseline (d) (bench/rust-read/lib.rs) into build/rust-read/ (under the repository, where
# Miniflare loads modules from) as
# scripts/build-worker.sh builds the Worker: release wasm, wasm-bindgen's glue (`--target module`),
# wasm-opt -Oz, and entry.js bundled with the glue by esbuild into index.js.
set -euo pipefail
source "$(dirname "$0")/../../scripts/env.sh"
target_dir=${CARGO_TARGET_DIR:-$root/target}
crate="$root/bench/rust-read"
out="$root/build/rust-read"
staging="$target_dir/rust-read-staging"
cargo build --locked --release --target wasm32-unknown-unknown --manifest-path "$crate/Cargo.toml" --target-dir "$target_dir"
rm -rf "$out" "$staging" && mkdir -p "$out" "$staging"
"$WASM_BINDGEN_BIN" "$target_dir/wasm32-unknown-unknown/release/rust_read.wasm" --out-dir "$staging" \
  --out-name index --target module --no-typescript
sed -i 's/^import source /import /' "$staging/index.js"
wasm-opt --enable-reference-types --enable-bulk-memory --enable-sign-ext --enable-mutable-globals \
  --enable-nontrapping-float-to-int --enable-multivalue -Oz --strip-debug "$staging/index_bg.wasm" -o "$out/index_bg.wasm"
cp "$crate/entry.js" "$staging/entry.js"
"$ESBUILD_BIN" "$staging/entry.js" --bundle --format=esm --minify --log-level=warning \
  --external:./index_bg.wasm --outfile="$out/index.js"
