#!/usr/bin/env bash
# Checks the built npm package in pkg/ (run scripts/build-pkg.sh first): package.json, the .d.ts
# (no `any`, every client method), a strict TypeScript consumer, the files
# `npm pack` would publish, a Node smoke test of the module itself, the module in Chromium through
# Vite and a plain module script, and the size budget.
# Prints `package checks: N passed` and exits non-zero if any check failed.
set -uo pipefail
source "$(dirname "$0")/env.sh"
cd "$root"

passed=0
failed=0
check() { # check <name> <command...>
  local name=$1; shift
  local out
  if out=$("$@" 2>&1); then
    passed=$((passed + 1)); echo "ok   $name"
  else
    failed=$((failed + 1)); echo "FAIL $name"; printf '%s\n' "$out" | sed 's/^/     /' | tail -40
  fi
}

if [ ! -f pkg/package.json ] || [ ! -f pkg/groupgate_bg.wasm ]; then
  echo "pkg/ is not built: run scripts/build-pkg.sh" >&2
  echo "package checks: 0 passed, 1 failed"
  exit 1
fi

version=$(awk -F'"' '/^version = / {print $2; exit}' Cargo.toml)

manifest() {
  node - "$version" <<'JS'
const pkg = JSON.parse(require('node:fs').readFileSync('pkg/package.json', 'utf8'));
const want = (ok, what) => { if (!ok) throw new Error(`package.json: ${what}`); };
want(pkg.name === 'groupgate', 'name is groupgate');
want(pkg.version === process.argv[2], `version is Cargo.toml's ${process.argv[2]}`);
want(pkg.type === 'module', 'type is module');
want(typeof pkg.description === 'string' && pkg.description.length > 20, 'has a description');
want(pkg.license === 'MIT', 'license MIT');
want(pkg.repository && /github\.com\/groupgate\/groupgate/.test(pkg.repository.url), 'repository');
want(pkg.types === './groupgate.d.ts', 'types');
const main = pkg.exports?.['.'];
want(main && Object.keys(main)[0] === 'types' && main.types === './groupgate.d.ts', 'exports["."] lists types first');
want(main.default === './groupgate.js', 'exports["."].default');
want(pkg.sideEffects === false || (Array.isArray(pkg.sideEffects) && pkg.sideEffects.every((p) => p.startsWith('./snippets/'))), 'narrow sideEffects');
want(Array.isArray(pkg.files) && pkg.files.includes('groupgate_bg.wasm'), 'files');
JS
}
check "package.json: name, version, type, exports (types first), files, sideEffects" manifest

no_any() {
  ! grep -nE '(^|[^A-Za-z_])any([^A-Za-z_]|$)' pkg/groupgate.d.ts pkg/groupgate_bg.wasm.d.ts | grep -vE '^\S+:[0-9]+:\s*(\*|/\*\*|//)'
}
check "no \`any\` in the published types" no_any


client_methods() {
  local missing=0 names
  names=$(sed -n 's/^ *[A-Za-z0-9]*([A-Za-z]*) = [A-Za-z]* "[^"]*" -> \([A-Za-z]*\) .*/\1/p' src/ops/table.rs)
  [ "$(echo "$names" | wc -l)" -ge 35 ] || { echo "found only $(echo "$names" | wc -l) operations"; return 1; }
  for name in $names; do
    grep -qE "^    $name\(" pkg/groupgate.d.ts || { echo "GroupsClient.$name is missing"; missing=1; }
  done
  return $missing
}
check "GroupsClient has one method per operation of the table (src/ops/table.rs)" client_methods

consumer() {
  mkdir -p tests/ts/node_modules
  ln -sfn ../../../pkg tests/ts/node_modules/groupgate
  tsc --noEmit -p tests/ts/tsconfig.json
}
check "strict TypeScript consumer (tests/ts) compiles against pkg/" consumer

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
readme_examples() {
  mkdir -p "$tmp/readme/node_modules"
  ln -sfn "$root/pkg" "$tmp/readme/node_modules/groupgate"
  awk '/^```ts$/ {on=1; next} /^```$/ {on=0} on' npm/README.md > "$tmp/readme/readme.ts"
  [ -s "$tmp/readme/readme.ts" ] || { echo "no ts blocks in npm/README.md"; return 1; }
  node -e '
    const c = require(process.argv[1]);
    delete c.compilerOptions.noUnusedLocals;
    c.files = ["readme.ts"];
    require("node:fs").writeFileSync(process.argv[2], JSON.stringify(c));
  ' "$root/tests/ts/tsconfig.json" "$tmp/readme/tsconfig.json"
  tsc --noEmit -p "$tmp/readme/tsconfig.json"
}
check "the README's TypeScript examples type-check" readme_examples


pack_files() {
  (cd pkg && npm pack --dry-run --json --loglevel=error) > "$tmp/pack.json" || return 1
  node - "$tmp/pack.json" <<'JS'
const [entry] = JSON.parse(require('node:fs').readFileSync(process.argv[2], 'utf8'));
const files = entry.files.map((f) => f.path).sort();
const want = ['README.md', 'groupgate.d.ts', 'groupgate.js', 'groupgate_bg.wasm', 'groupgate_bg.wasm.d.ts', 'package.json'];
const missing = want.filter((f) => !files.includes(f));
const extra = files.filter((f) => !want.includes(f) && !f.startsWith('snippets/'));
if (missing.length || extra.length) throw new Error(`npm pack lists ${files.join(', ')}; missing ${missing}; unexpected ${extra}`);
if (entry.name !== 'groupgate') throw new Error(`packs as ${entry.name}`);
console.log(`${entry.filename}: ${files.length} files, ${entry.size} B packed`);
JS
}
check "npm pack --dry-run lists exactly the package files" pack_files

check "pkg/README.md is npm/README.md" cmp pkg/README.md npm/README.md

check "runs in headless Chromium bundled by Vite and from a plain <script type=module>" node scripts/check-bundlers.mjs

smoke() {
  node --input-type=module - <<'JS'
import { readFileSync } from 'node:fs';
import { initSync, GroupsClient, isGroupgateError, limits, parseInvite, phoneToUserId, parseGroupEvent, validateRequest } from './pkg/groupgate.js';
initSync({ module: readFileSync('pkg/groupgate_bg.wasm') });
const want = (ok, what) => { if (!ok) throw new Error(what); };
want(phoneToUserId('+1 (555) 123-4567') === '15551234567@c.us', 'phoneToUserId');
want(parseInvite('chat.whatsapp.com/AbCdEfGhIjKlMnOpQrStUv').link === 'https://chat.whatsapp.com/AbCdEfGhIjKlMnOpQrStUv', 'parseInvite');
want(limits().groupSize === 1024, 'limits');
const event = parseGroupEvent(JSON.stringify({ id: 'evt_1', timestamp: 1, session: 'default', engine: 'GOWS', event: 'group.v2.leave', payload: { timestamp: 1, group: { id: '1@g.us' } }, environment: {} }));
want(event.kind === 'leave' && event.payload.group.id === '1@g.us', 'parseGroupEvent');
const add = validateRequest('POST', '/api/default/groups/120363000000000001@g.us/participants/add', '{"participants":[{"id":"15551234567@s.whatsapp.net"}]}');
want(add.method === 'POST' && add.body === '{"participants":[{"id":"15551234567@c.us"}]}', 'validateRequest');
try { phoneToUserId('555'); want(false, 'throws'); } catch (e) { want(isGroupgateError(e) && e.code === 'validation_failed' && e.errors[0].code === 'invalid_phone_number', 'GroupgateError'); }
const client = new GroupsClient({ baseUrl: 'http://127.0.0.1:9', apiKey: 'k', session: 'default', timeoutMs: 2000 });
const invalid = await client.getGroup('nope').then(() => null, (e) => e);
want(isGroupgateError(invalid) && invalid.code === 'validation_failed' && invalid.errors[0].parameter === 'id', 'validation before sending');
const offline = await client.countGroups().then(() => null, (e) => e);
want(isGroupgateError(offline) && offline.code === 'network_error' && offline.status === 0, `network_error, got ${offline?.code}`);
client.free();
JS
}
check "the built module runs (Node: initSync, helpers, client errors)" smoke

budget() {
  local wasm_gz js_gz
  wasm_gz=$(gzip -9c pkg/groupgate_bg.wasm | wc -c)
  js_gz=$(gzip -9c pkg/groupgate.js | wc -c)
  echo "groupgate_bg.wasm: $wasm_gz B gzip (budget 81500); groupgate.js: $js_gz B gzip (budget 5500)"
  [ "$wasm_gz" -le 81500 ] && [ "$js_gz" -le 5500 ]
}
check "size budget (gzip)" budget

if [ "$failed" -gt 0 ]; then
  echo "package checks: $passed passed, $failed failed"
  exit 1
fi
echo "package checks: $passed passed"
