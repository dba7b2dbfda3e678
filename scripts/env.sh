# Sourced by the other scripts: puts the project's pinned tools first on PATH and names the local
# wasm-bindgen, wasm-opt and esbuild the builds use.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PATH="$root/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export WASM_BINDGEN_BIN="$HOME/.cargo/bin/wasm-bindgen"
export ESBUILD_BIN="$root/node_modules/@esbuild/linux-x64/bin/esbuild"
