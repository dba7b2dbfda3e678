#!/usr/bin/env bash
# make fuzz-api: schemathesis at length against the worker in workerd in front of the simulator
# (scripts/schemathesis.mjs), from the worker's own /openapi.json, with every check. Bounded:
# FUZZ_API_SECONDS (default 600) of generation, then it stops by itself. Rewrites the
# schemathesis section of SECURITY.md with what ran and what it found; fails if it found anything.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$root"

seconds=${FUZZ_API_SECONDS:-600}
scripts/build-worker.sh
scripts/build-console.sh
log=$(mktemp)
command=(node scripts/schemathesis.mjs --max-examples 1000 --max-time "$seconds" --workers 1)
status=0
"${command[@]}" 2>&1 | tee "$log" || status=$?

checks=$(.venv/bin/python -c \
  'from schemathesis.config._checks import _BUILTIN_CHECK_CONFIGS as c; print(", ".join(c))' 2>/dev/null \
  || echo "every built-in check")
SECTION_DATE=$(date -u '+%Y-%m-%d %H:%M UTC') \
SECTION_MACHINE="$(nproc) CPUs, $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)" \
SECTION_VERSIONS="schemathesis $(.venv/bin/schemathesis --version | grep -o '[0-9][0-9.]*$'), Node $(node --version), groupgate $(git rev-parse --short HEAD)" \
SECTION_COMMAND="${command[*]}" SECTION_SEED=$(awk '/^Seed: / {print $2}' "$log") \
SECTION_CHECKS="$checks" SECTION_STATUS=$status \
node - "$log" <<'JS'
const fs = require('node:fs');
const report = fs.readFileSync(process.argv[2], 'utf8');
const closing = report.match(/^schemathesis: \d+ passed.*$/m)?.[0] ?? 'schemathesis: no summary (the run did not finish)';
// The "Failures:" and "Errors:" blocks of schemathesis's summary: one line per kind of finding.
const blocks = [...report.matchAll(/^(?:Failures|Errors):\n((?:[ \t]+\S.*\n)+)/gm)].map((m) => m[1]);
const findings = blocks.flatMap((block) => block.split('\n').map((line) => line.trim()).filter(Boolean));
const env = process.env;
const section = [
  '<!-- schemathesis:begin -->',
  `Last run by \`make fuzz-api\` (scripts/fuzz-api.sh) on ${env.SECTION_DATE}.`,
  '',
  `- Machine: ${env.SECTION_MACHINE}`,
  `- Versions: ${env.SECTION_VERSIONS}`,
  `- Command: \`${env.SECTION_COMMAND}\` (seed ${env.SECTION_SEED || 'unknown'}; add \`--seed\` to repeat it)`,
  `- Tested: ${closing.replace(/^schemathesis: /, '')}`,
  `- Checks: ${env.SECTION_CHECKS}`,
  `- Findings: ${findings.length ? findings.join('; ') : (env.SECTION_STATUS === '0' ? 'none' : 'the run failed; see its output')}`,
  '<!-- schemathesis:end -->',
].join('\n');
const text = fs.readFileSync('SECURITY.md', 'utf8');
const updated = text.replace(/<!-- schemathesis:begin -->[\s\S]*?<!-- schemathesis:end -->/, section);
if (updated === text && !text.includes(section)) throw new Error('SECURITY.md has no schemathesis section');
fs.writeFileSync('SECURITY.md', updated);
JS
echo "SECURITY.md: schemathesis section rewritten"
exit "$status"
