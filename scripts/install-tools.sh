#!/usr/bin/env bash
# Installs every tool groupgate's build and tests need, at pinned versions.
# Idempotent: a tool already present at the right version is left alone.
# Only the package registries are used (crates.io, npm, Debian); nothing else is downloaded.
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_PACK_VERSION=0.15.1
# The wasm-bindgen CLI must equal the library version in Cargo.lock exactly.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)

say() { printf '[install-tools] %s\n' "$*" >&2; }

cargo_tool() { # cargo_tool <binary> <crate> <version> [extra cargo install args]
  local bin=$1 crate=$2 version=$3; shift 3
  if command -v "$bin" >/dev/null 2>&1 && "$bin" --version 2>/dev/null | grep -qF "$version"; then
    return
  fi
  say "installing $crate $version (takes a few minutes from cold)"
  cargo install "$crate" --version "$version" "$@"
}

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# `--locked` fails for wasm-bindgen-cli on the registry mirror (a locked dependency is missing there), so it installs unlocked.
cargo_tool wasm-bindgen wasm-bindgen-cli "$WASM_BINDGEN_VERSION"
cargo_tool wasm-pack wasm-pack "$WASM_PACK_VERSION" --locked

if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  say "installing Debian's chromium and chromium-driver"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium chromium-driver >/dev/null
fi

# Node 22 (for wrangler), wasm-opt (binaryen), TypeScript, Playwright: pinned in package-lock.json.
# `npm ci` refuses this lock file (npm 11 drops other platforms' optional workerd binaries from
# nested lock entries), so `npm install` installs from the lock instead.
if [ ! -f node_modules/.install-stamp ] || [ package-lock.json -nt node_modules/.install-stamp ] \
  || [ package.json -nt node_modules/.install-stamp ]; then
  say "installing npm dev tools"
  npm install --no-audit --no-fund --loglevel=error
  touch node_modules/.install-stamp
fi

# --- schemathesis (PyPI), for the API contract tier of `make test` and `make fuzz-api` ---
# Installed into .venv/ (git-ignored), pinned; Debian's python3 needs python3-venv for it.
SCHEMATHESIS_VERSION=4.32.5
if ! .venv/bin/schemathesis --version 2>/dev/null | grep -qF "$SCHEMATHESIS_VERSION"; then
  if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import ensurepip' 2>/dev/null; then
    say "installing Debian's python3-venv"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq python3-venv >/dev/null
  fi
  say "installing schemathesis $SCHEMATHESIS_VERSION into .venv/"
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi
# --- end schemathesis ---
