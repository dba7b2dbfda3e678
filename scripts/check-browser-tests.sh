#!/usr/bin/env bash
# A wasm test file without `wasm_bindgen_test_configure!(run_in_browser)` is skipped by a browser
# run, which still exits 0 with no `test result:` line. Fail on any such file in tests/.
set -euo pipefail
cd "$(dirname "$0")/.."
bad=0
checked=0
for file in tests/*.rs; do
  grep -q 'wasm_bindgen_test' "$file" || continue
  checked=$((checked + 1))
  if ! grep -Eq 'wasm_bindgen_test_configure!\(\s*run_in_browser\s*\)' "$file"; then
    echo "FAIL: $file uses wasm_bindgen_test without wasm_bindgen_test_configure!(run_in_browser)" >&2
    bad=$((bad + 1))
  fi
done
if [ "$checked" -eq 0 ]; then
  echo "FAIL: no browser test file in tests/" >&2
  exit 1
fi
if [ "$bad" -gt 0 ]; then exit 1; fi
echo "browser test files: $checked configured for run_in_browser"
