// The browser path of the core, in Debian's headless Chromium through the npm module (pkg/): what
// `client.addParticipants(id, five people)` costs before anything is sent. The module has no
// entry point that only validates, so two calls that never reach fetch are timed and subtracted:
//   - "validated": an already aborted AbortSignal; the client reads the arguments, builds the
//     WAHA body, parses and validates it with the core, then refuses (`aborted`) before rendering
//     and sending;
//   - "refused before validation": options that are not an object (`validation_failed` naming
//     `options`), refused after the arguments are read and before validation.
// Both settle a promise with a GroupgateError, so the difference is the validation itself.
// Each figure is the median over BENCH_BROWSER_BATCHES batches of BENCH_BROWSER_CALLS calls
// (performance.now() around each batch). Writes browser.json.
//
//   node bench/browser.mjs    (after scripts/build-pkg.sh)
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { envNumber, root, spread, writeResult } from './lib.mjs';

const CALLS = envNumber('BENCH_BROWSER_CALLS', 2000);
const BATCHES = envNumber('BENCH_BROWSER_BATCHES', 15);
/** The five people of benches/core.rs's add. */
const PEOPLE = ['15551234567@c.us', '4915112345678@s.whatsapp.net', '447911123456@c.us', '123456789012345@lid', '33612345678@s.whatsapp.net'];
const GROUP = '120363298657503778@g.us';

const PAGE = `<!doctype html><meta charset="utf-8"><script type="module">
import init, { GroupsClient } from '/groupgate.js';
await init();
const client = new GroupsClient({ baseUrl: 'http://127.0.0.1:9', apiKey: 'bench-browser-key', session: 'default' });
const signal = AbortSignal.abort();
/** Per case: the call's options, and the refusal every call must end in. */
const CASES = {
  validated: [{ signal }, (e) => e.code === 'aborted'],
  refusedBeforeValidation: [42, (e) => e.code === 'validation_failed' && /^options:/.test(e.detail)],
};
/** µs per call of a batch of n calls of one case; every call must fail with the expected code. */
window.batch = async (name, people, group, n) => {
  const [options, expected] = CASES[name];
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    try {
      await client.addParticipants(group, people, options);
      throw new Error('the call was sent');
    } catch (e) {
      if (!expected(e)) throw new Error(name + ': ' + (e.code ?? e.message) + ' ' + e.detail);
    }
  }
  return (performance.now() - started) * 1000 / n;
};
document.body.dataset.ready = 'true';
</script><body>`;

const server = createServer((req, res) => {
  const path = req.url.split('?')[0];
  if (path === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
  const types = { '/groupgate.js': 'text/javascript', '/groupgate_bg.wasm': 'application/wasm' };
  if (!types[path]) return res.writeHead(404).end();
  res.writeHead(200, { 'content-type': types[path] }).end(readFileSync(`${root}pkg${path}`));
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  await page.locator('body[data-ready="true"]').waitFor({ state: 'attached' });
  const version = browser.version();
  const cases = {};
  for (const name of ['validated', 'refusedBeforeValidation']) {
    await page.evaluate(([c, p, g, n]) => window.batch(c, p, g, n), [name, PEOPLE, GROUP, CALLS]);
    cases[name] = [];
  }
  // Batches alternate between the two cases, so drift falls on both.
  for (let i = 0; i < BATCHES; i++) {
    for (const name of Object.keys(cases)) {
      cases[name].push(await page.evaluate(([c, p, g, n]) => window.batch(c, p, g, n), [name, PEOPLE, GROUP, CALLS]));
    }
  }
  const validated = spread(cases.validated);
  const before = spread(cases.refusedBeforeValidation);
  const validationUs = spread(cases.validated.map((v, i) => v - cases.refusedBeforeValidation[i]));
  writeResult('browser', { chromium: version, calls: CALLS, batches: BATCHES, validatedUs: validated, refusedBeforeValidationUs: before, validationUs });
  process.stderr.write(`browser: validated ${validated.median.toFixed(2)} µs/call, refused before validation ${before.median.toFixed(2)} µs/call\n`);
} finally {
  await browser.close();
  server.close();
}
