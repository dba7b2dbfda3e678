#!/usr/bin/env bash
# Builds the npm package into pkg/: release wasm (feature `browser`), wasm-bindgen `--target web`
# (works in Vite, webpack 5, Rollup and a plain <script type="module">), `wasm-opt -Oz`, then the
# publishable package.json and README.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$root"

target_dir=${CARGO_TARGET_DIR:-$root/target}
cargo build --lib --release --target wasm32-unknown-unknown --features browser
rm -rf pkg
"$WASM_BINDGEN_BIN" "$target_dir/wasm32-unknown-unknown/release/groupgate.wasm" --out-dir pkg \
  --out-name groupgate --target web

# The features Rust's wasm32 target enables by default; binaryen must be told about them.
# --low-memory-unused: Rust never touches the first KiB of memory (0.5 KiB gzip; see build-worker.sh).
wasm-opt -Oz --low-memory-unused --strip-producers --enable-bulk-memory --enable-mutable-globals --enable-nontrapping-float-to-int \
  --enable-sign-ext --enable-reference-types --enable-multivalue \
  pkg/groupgate_bg.wasm -o pkg/groupgate_bg.wasm.opt
mv pkg/groupgate_bg.wasm.opt pkg/groupgate_bg.wasm

# The glue ships minified (the .d.ts carries the documentation); bundlers minify it anyway.
"$ESBUILD_BIN" pkg/groupgate.js --minify --format=esm --target=es2022 --legal-comments=none \
  --log-level=warning --outfile=pkg/groupgate.min.js
mv pkg/groupgate.min.js pkg/groupgate.js

# The raw wasm exports in InitOutput are typed `any` by wasm-bindgen: nothing calls them, and
# `unknown` keeps `any` out of the published types.
node - <<'JS'
const fs = require('node:fs');
for (const path of ['pkg/groupgate.d.ts', 'pkg/groupgate_bg.wasm.d.ts']) {
  const text = fs.readFileSync(path, 'utf8').split('\n')
    .map((line) => (/^\s*(readonly |export const )/.test(line) ? line.replace(/\bany\b/g, 'unknown') : line))
    .join('\n');
  fs.writeFileSync(path, text);
}
JS

cp npm/README.md pkg/README.md

version=$(awk -F'"' '/^version = / {print $2; exit}' Cargo.toml)
node - "$version" <<'JS'
const fs = require('node:fs');
const version = process.argv[2];
const path = 'pkg/package.json';
const snippets = fs.existsSync('pkg/snippets');
const pkg = {
  name: 'groupgate',
  version,
  description: 'Typed browser client for the groupgate Worker: manage WhatsApp groups (WAHA groups API) with validation before anything leaves the browser.',
  license: 'MIT',
  repository: { type: 'git', url: 'git+https://github.com/groupgate/groupgate.git' },
  keywords: ['whatsapp', 'waha', 'groups', 'wasm', 'cloudflare-workers'],
  type: 'module',
  main: './groupgate.js',
  module: './groupgate.js',
  types: './groupgate.d.ts',
  exports: {
    '.': { types: './groupgate.d.ts', default: './groupgate.js' },
    './groupgate_bg.wasm': './groupgate_bg.wasm',
    './package.json': './package.json',
  },
  files: [
    'groupgate.js',
    'groupgate.d.ts',
    'groupgate_bg.wasm',
    'groupgate_bg.wasm.d.ts',
    ...(snippets ? ['snippets/'] : []),
    'README.md',
  ],
  // Importing the module runs nothing until init(); only wasm-bindgen snippets (if any) have effects.
  sideEffects: snippets ? ['./snippets/*'] : false,
};
fs.writeFileSync(path, JSON.stringify(pkg, null, 2) + '\n');
JS

wasm_gz=$(gzip -9c pkg/groupgate_bg.wasm | wc -c)
js_gz=$(gzip -9c pkg/groupgate.js | wc -c)
echo "pkg/: groupgate_bg.wasm $(wc -c < pkg/groupgate_bg.wasm) B ($wasm_gz B gzip), groupgate.js $(wc -c < pkg/groupgate.js) B ($js_gz B gzip)"
