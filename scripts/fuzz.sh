#!/usr/bin/env bash
# make fuzz: runs every cargo-fuzz target of fuzz/ (nightly Rust) for FUZZ_SECONDS each (default
# 60), one after the other, on its corpus kept in fuzz/corpus/<target>/ (grown by the run) and its
# hand-written seeds in fuzz/seeds/<target>/ (read only); then minimizes each corpus (cargo fuzz
# cmin) and rewrites the fuzz section of SECURITY.md with what ran and what it found.
# A crash leaves its input in fuzz/artifacts/<target>/ and makes the script fail: turn it into a
# test in tests/fuzz_findings.rs, fix the core, run again.
#
#   FUZZ_SECONDS=600 make fuzz          # longer runs
#   FUZZ_TARGETS="request" make fuzz    # some targets only
#   FUZZ_TARGET_DIR=/tmp/fuzz make fuzz # where the fuzz builds go (default fuzz/target)
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$root"

CARGO_FUZZ_VERSION=0.13.1
seconds=${FUZZ_SECONDS:-60}
targets=${FUZZ_TARGETS:-request webhook settings}
# The longest input per target: a request or a settings list fits in a few KB; a webhook may carry
# a whole group.
declare -A max_len=([request]=4096 [webhook]=16384 [settings]=4096)
# The fuzz builds carry sanitizer flags: they never share the main crate's target dir.
export CARGO_TARGET_DIR=${FUZZ_TARGET_DIR:-$root/fuzz/target}

say() { printf '[fuzz] %s\n' "$*" >&2; }

if ! rustup toolchain list | grep -q '^nightly'; then
  say "fuzzing needs a nightly Rust toolchain (rustup toolchain install nightly); none is installed"
  exit 1
fi
if ! cargo fuzz --version 2>/dev/null | grep -qF "$CARGO_FUZZ_VERSION"; then
  say "installing cargo-fuzz $CARGO_FUZZ_VERSION"
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked
fi

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
rows=()
failed=0
cd fuzz
for target in $targets; do
  mkdir -p "corpus/$target"
  say "$target: ${seconds} s"
  status=0
  # Optimized, with debug assertions: an integer overflow is a finding too.
  cargo +nightly fuzz run -O -a "$target" "corpus/$target" "seeds/$target" -- \
    -max_total_time="$seconds" -max_len="${max_len[$target]:-4096}" -print_final_stats=1 \
    >"$logs/$target.log" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$logs/$target.log" | tail -1)
  took=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$logs/$target.log" | tail -1)
  if [ "$status" -ne 0 ]; then
    failed=1
    artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$logs/$target.log" | tail -1)
    grep -m1 -A2 'panicked at' "$logs/$target.log" >&2 || tail -20 "$logs/$target.log" >&2
    findings="crash: \`fuzz/${artifact#"$root/fuzz/"}\`"
  else
    findings="none"
  fi
  # Minimized by edges only (not hit counts): a few hundred files per target instead of thousands.
  say "$target: minimizing the corpus"
  cargo +nightly fuzz cmin -O -a "$target" "corpus/$target" -- -max_len="${max_len[$target]:-4096}" -use_counters=0 \
    >"$logs/$target.cmin.log" 2>&1 || { tail -20 "$logs/$target.cmin.log" >&2; failed=1; }
  files=$(find "corpus/$target" -type f | wc -l)
  kib=$(($(find "corpus/$target" -type f -exec cat {} + | wc -c) / 1024))
  rows+=("| \`$target\` | ${runs:-0} | ${took:-stopped} | $files files, $kib KiB | $findings |")
done
cd "$root"

section=$(mktemp)
{
  printf '%s\n' "<!-- fuzz:begin -->"
  printf 'Last run: %s on %s (%s cores, %s), %s; `FUZZ_SECONDS=%s` per target.\n\n' \
    "$(date -u +%Y-%m-%d)" "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)" "$(nproc)" \
    "$(uname -sm)" "$(rustc +nightly --version)" "$seconds"
  printf '| target | executions | seconds | corpus after `cmin` | findings |\n|---|---|---|---|---|\n'
  printf '%s\n' "${rows[@]}"
  printf '%s\n' "<!-- fuzz:end -->"
} >"$section"
awk -v section="$section" '
  /<!-- fuzz:begin -->/ { while ((getline line < section) > 0) print line; skip = 1; next }
  /<!-- fuzz:end -->/ { skip = 0; next }
  !skip { print }
' SECURITY.md >"$section.md"
mv "$section.md" SECURITY.md
rm -f "$section"
say "SECURITY.md updated"
exit "$failed"
