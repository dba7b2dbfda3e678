# groupgate — every entry point. `make dev` and `make test` install what is missing first.
SHELL := /bin/bash
.DEFAULT_GOAL := help
.PHONY: help tools dev test build-worker pkg console screenshots bench lint openapi fuzz fuzz-api soak

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

tools: ## Install the pinned toolchain (idempotent)
	@scripts/install-tools.sh

dev: tools ## Serve the worker and its console on http://127.0.0.1:$${PORT:-8787} in front of the simulator
	@scripts/dev.sh

test: tools ## Run every tier: native, worker end-to-end, browser, package checks, console
	@scripts/test.sh

build-worker: tools ## Build the worker into build/ (release wasm, wasm-bindgen, wasm-opt, esbuild)
	@scripts/build-worker.sh

pkg: tools ## Build the npm package into pkg/ (release, --target web)
	@scripts/build-pkg.sh

console: tools ## Build the admin console into dist/console/ (the worker's static assets)
	@scripts/build-console.sh

screenshots: tools ## Regenerate the console screenshots in docs/screenshots/ (used by the README)
	@scripts/screenshots.sh

bench: ## Install what is missing, build release artifacts, run every benchmark, rewrite BENCHMARKS.md (BENCH_ONLY=http,… for some)
	@scripts/bench.sh

lint: tools ## cargo fmt --check and clippy for native, worker and browser builds
	@scripts/lint.sh

openapi: tools ## Write the OpenAPI 3.1 document (generated from the operation table) to openapi.json
	@scripts/openapi.sh

fuzz: tools ## Run every cargo-fuzz target for a bounded time (nightly); records executions in SECURITY.md
	@scripts/fuzz.sh

fuzz-api: tools ## Run schemathesis at length against the worker in workerd; records examples in SECURITY.md
	@scripts/fuzz-api.sh

soak: tools ## A bounded soak of mixed traffic against the worker in workerd; records figures in SECURITY.md
	@scripts/soak.sh
