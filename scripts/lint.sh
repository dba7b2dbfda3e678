#!/usr/bin/env bash
# Formatting and clippy (warnings are errors) for the native core and both wasm builds.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$root"
cargo fmt --check
cargo clippy --all-targets -- -D warnings
cargo clippy --lib --target wasm32-unknown-unknown --features worker -- -D warnings
cargo clippy --lib --tests --target wasm32-unknown-unknown --features browser -- -D warnings
# Baselines (d) and (e) of make bench, a crate of its own.
cargo fmt --check --manifest-path bench/rust-read/Cargo.toml
# (A target directory of its own, as bench/rust-read/build.sh explains.)
bench_read=(--locked --manifest-path bench/rust-read/Cargo.toml --target wasm32-unknown-unknown
  --target-dir "${CARGO_TARGET_DIR:-target}/rust-read")
cargo clippy "${bench_read[@]}" -- -D warnings
cargo clippy "${bench_read[@]}" --features core -- -D warnings
