#!/usr/bin/env bash
# Builds the Worker's static assets (`[assets]` in wrangler.toml) into dist/console/ (git-ignored):
# the admin console, www/ as it is, plus the npm package from pkg/ under groupgate/, which the page
# imports as "groupgate" through its import map, exactly as an npm user would; and the OpenAPI
# template (openapi.json), which the Worker fills with its running limits at /openapi.json.
# Builds pkg/ first when it is missing or older than the sources (scripts/build-pkg.sh).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$root"

if [ ! -f pkg/groupgate_bg.wasm ] || [ -n "$(find src Cargo.toml Cargo.lock npm -newer pkg/groupgate_bg.wasm -print -quit)" ]; then
  scripts/build-pkg.sh
fi

out=dist/console
rm -rf "$out"
mkdir -p "$out/groupgate"
cp www/*.html www/*.css www/*.js "$out/"
cp pkg/groupgate.js pkg/groupgate_bg.wasm "$out/groupgate/"
# The glue's snippets (JS modules it imports by relative path), when the package has any.
if [ -d pkg/snippets ]; then cp -r pkg/snippets "$out/groupgate/"; fi

# Generated from the operation table (src/openapi), natively: the writer is no code of the Worker.
cargo run --quiet --example openapi -- --template "$out/openapi.json"

# The page's Content-Security-Policy allows its one inline script, the import map, by hash.
node - "$out/index.html" <<'JS'
const fs = require('node:fs');
const crypto = require('node:crypto');
const html = fs.readFileSync(process.argv[2], 'utf8');
const map = html.match(/<script type="importmap">([^<]*)<\/script>/);
const hash = map && crypto.createHash('sha256').update(map[1]).digest('base64');
if (!map || !html.includes(`'sha256-${hash}'`)) {
  throw new Error(`www/index.html: the CSP must allow the import map as 'sha256-${hash}'`);
}
JS

total=0
while IFS= read -r file; do total=$((total + $(gzip -9c "$file" | wc -c))); done < <(find "$out" -type f)
echo "dist/console/: $(find "$out" -type f | wc -l) files, $total B gzip"
