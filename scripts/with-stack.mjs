// Runs a command while the end-to-end stack (simulator + worker in workerd) serves on fixed
// loopback ports, e.g. the browser tests: node scripts/with-stack.mjs -- wasm-pack test ...
// The command sees GROUPGATE_TEST_URL, GROUPGATE_SIM_URL and WASM_BINDGEN_TEST_ADDRESS.
import { spawn } from 'node:child_process';
import { startStack, TEST_ORIGIN } from '../tests/e2e/stack.mjs';

const sep = process.argv.indexOf('--');
const [cmd, ...args] = process.argv.slice(sep + 1);
// The worker's request log lines are kept in memory rather than mixed into the command's output.
// Adds are limited to 6 per group in 3 s for the paced bulk add tests (tests/browser/paced.rs).
const stack = await startStack({
  port: 8798, simPort: 8797, captureLogs: true,
  vars: { LIMIT_ADD: '1000/3600', LIMIT_REMOVE: '1000/3600', LIMIT_ADD_PER_GROUP: '6/3', LIMIT_REMOVE_PER_GROUP: '2/3600' },
});
const child = spawn(cmd, args, {
  stdio: 'inherit',
  env: {
    ...process.env,
    GROUPGATE_TEST_URL: stack.url,
    GROUPGATE_SIM_URL: stack.sim.url,
    WASM_BINDGEN_TEST_ADDRESS: TEST_ORIGIN.replace('http://', ''),
  },
});
const code = await new Promise((resolve) => child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
await stack.close();
process.exit(code);
