#!/usr/bin/env bash
# Installs every tool groupgate's build and tests need, at pinned versions.
# Idempotent: a tool already present at the right version is left alone.
# Only the package registries are used (crates.io, npm, Debian); nothing else is downloaded.
# `scripts/install-tools.sh` installs what `make test` needs; `scripts/install-tools.sh bench` what
# `make bench` needs, which leaves out wasm-pack (it runs the browser tests) and schemathesis (the
# API property tests), compiling wasm-pack alone being minutes of a fresh machine's first run, and
# adds wrk.
set -euo pipefail
cd "$(dirname "$0")/.."
purpose=${1:-test}
case $purpose in
  test | bench) ;;
  *) echo "usage: scripts/install-tools.sh [test|bench]" >&2; exit 2 ;;
esac

WASM_PACK_VERSION=0.15.1
# The wasm-bindgen CLI must equal the library version in Cargo.lock exactly.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)

# installing <what>: says so, and adds it to the file INSTALL_TOOLS_LOG names (make bench records
# what its run installed).
installing() {
  printf '[install-tools] installing %s\n' "$*" >&2
  if [ -n "${INSTALL_TOOLS_LOG:-}" ]; then printf '%s\n' "$*" >> "$INSTALL_TOOLS_LOG"; fi
}

cargo_tool() { # cargo_tool <binary> <crate> <version> [extra cargo install args]
  local bin=$1 crate=$2 version=$3; shift 3
  if command -v "$bin" >/dev/null 2>&1 && "$bin" --version 2>/dev/null | grep -qF "$version"; then
    return
  fi
  installing "$crate $version"
  cargo install "$crate" --version "$version" "$@"
}

# Debian's packages (Chromium; for `make bench`, wrk, its load generator) and the npm tools (Node 22
# for wrangler, wasm-opt (binaryen), TypeScript, Playwright, pinned in package-lock.json) download
# and unpack while the cargo tools compile, which is minutes of a fresh machine's first run; their
# output shows once they are done.
packages() {
  local debian=()
  if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
    debian+=(chromium chromium-driver)
  fi
  if [ "$purpose" = bench ] && ! command -v wrk >/dev/null 2>&1; then debian+=(wrk); fi
  if [ ${#debian[@]} -gt 0 ]; then
    installing "Debian's packages ${debian[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${debian[@]}" >/dev/null
  fi
  # `npm ci` refuses this lock file (npm 11 drops other platforms' optional workerd binaries from
  # nested lock entries), so `npm install` installs from the lock instead.
  if [ ! -f node_modules/.install-stamp ] || [ package-lock.json -nt node_modules/.install-stamp ] \
    || [ package.json -nt node_modules/.install-stamp ]; then
    installing "the npm dev tools"
    npm install --no-audit --no-fund --loglevel=error
    touch node_modules/.install-stamp
  fi
}
# However the script ends, the background job ends first, its output shown: stopping apt-get
# part-way could leave dpkg half-configured, so a failure in the foreground waits for it.
packages_log=$(mktemp)
packages_done() {
  local status=0
  wait "$packages_pid" || status=$?
  cat "$packages_log" >&2
  rm -f "$packages_log"
  return "$status"
}
packages >"$packages_log" 2>&1 &
packages_pid=$!
trap '[ -f "$packages_log" ] && packages_done || true' EXIT

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  installing "the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# `--locked` fails for wasm-bindgen-cli on the registry mirror (a locked dependency is missing there), so it installs unlocked.
cargo_tool wasm-bindgen wasm-bindgen-cli "$WASM_BINDGEN_VERSION"
if [ "$purpose" = test ]; then
  cargo_tool wasm-pack wasm-pack "$WASM_PACK_VERSION" --locked
fi

packages_status=0
packages_done || packages_status=$?
if [ "$packages_status" -ne 0 ]; then
  echo "install-tools: installing Chromium or the npm tools failed (exit $packages_status, output above)" >&2
  exit 1
fi

# --- schemathesis (PyPI), for the API contract tier of `make test` and `make fuzz-api` ---
# Installed into .venv/ (git-ignored), pinned; Debian's python3 needs python3-venv for it.
SCHEMATHESIS_VERSION=4.32.5
if [ "$purpose" = test ] && ! .venv/bin/schemathesis --version 2>/dev/null | grep -qF "$SCHEMATHESIS_VERSION"; then
  if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import ensurepip' 2>/dev/null; then
    installing "Debian's python3-venv"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq python3-venv >/dev/null
  fi
  installing "schemathesis $SCHEMATHESIS_VERSION into .venv/"
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi
# --- end schemathesis ---
