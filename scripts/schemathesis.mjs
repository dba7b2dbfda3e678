// Runs schemathesis (.venv/, scripts/install-tools.sh) against the built worker (build/index.js,
// with its static assets, dist/console/, which hold the OpenAPI template) in workerd in front of
// the WAHA simulator, with the test client key; extra arguments go to
// `schemathesis run`. The stack listens on loopback port 0 and is stopped afterwards; the worker
// reaches nothing but loopback. Prints schemathesis's report, then a closing line
//   schemathesis: <passed> passed, <failed> failed, <errors> errors (<cases> cases, <operations> operations,
//   <n> answers 429, <errors> worker errors)
// and fails when schemathesis fails, ran no case, or the worker logged an error.
//   node scripts/schemathesis.mjs --max-examples 20
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CLIENT_KEY, startStack } from '../tests/e2e/stack.mjs';

const root = fileURLToPath(new URL('../', import.meta.url));
// Quotas high enough that generated requests are seldom refused, low enough (adds per group, group
// creations) that some 429s still happen and are checked against the document.
const vars = {
  LIMIT_ADD: '5000/60', LIMIT_REMOVE: '5000/60', LIMIT_ADD_PER_GROUP: '60/60',
  LIMIT_CREATE: '300/60', LIMIT_REFRESH: '5000/60',
};
const stack = await startStack({ vars, assets: true, loopbackOnly: true, captureLogs: true });
console.log(`schemathesis: worker at ${stack.url}`);
const args = [
  '--config-file', 'tests/schemathesis.toml', 'run', `${stack.url}/openapi.json`, '--url', stack.url,
  '--header', `X-Api-Key: ${CLIENT_KEY}`, '--no-color', ...process.argv.slice(2),
];
const child = spawn(`${root}.venv/bin/schemathesis`, args, { stdio: ['ignore', 'pipe', 'inherit'], cwd: root });
let report = '';
child.stdout.on('data', (chunk) => {
  report += chunk;
  process.stdout.write(chunk);
});
const code = await new Promise((resolve) => child.on('close', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
await stack.close();

const count = (pattern) => Number(report.match(pattern)?.[1] ?? 0);
const cases = count(/^\s*(\d+) generated/m);
const passed = count(/^\s*\d+ generated, (\d+) passed/m);
const failed = count(/(\d+) unique failures?/);
const operations = count(/^\s*Tested: (\d+)/m);
// Schemathesis's own errors (a test it could not run), from its "Errors:" block.
const errors = [...report.matchAll(/^\s+🚫 .*: (\d+)$/gmu)].reduce((sum, m) => sum + Number(m[1]), 0);
// A worker that throws or logs an error is a finding even when its answer looked fine.
const workerErrors = stack.logs.filter((line) => line.level === 'error' || line.json?.runtimeError);
for (const line of workerErrors.slice(0, 5)) console.log(`worker error: ${line.message}`);
const answered = (status) => stack.logs.filter((line) => line.json?.status === status).length;
console.log(`schemathesis: ${passed} passed, ${failed} failed, ${errors} errors (${cases} cases, ${operations} operations, `
  + `${answered(429)} answers 429, ${workerErrors.length} worker errors)`);
process.exit(code !== 0 || cases === 0 || passed === 0 || workerErrors.length > 0 ? 1 : code);
