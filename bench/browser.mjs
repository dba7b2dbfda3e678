// The browser path of the core, in Debian's headless Chromium through the npm module (pkg/):
//   - "checked": `validateRequest('POST', '/api/default/groups/{id}/participants/add', body)`,
//     the core's parse + validate + render of the 5-person add (the native figure's work) plus
//     the crossings in and out of wasm;
//   - "validated": what `client.addParticipants(id, five people)` costs before anything is sent,
//     with an already aborted AbortSignal (arguments read, WAHA body built, parsed and validated,
//     then refused `aborted` before sending);
//   - "refused before validation": options that are not an object (`validation_failed` naming
//     `options`), refused after the arguments are read and before validation.
// The last two settle a promise with a GroupgateError, so their difference is the validation.
// Each figure is the median over BENCH_BROWSER_BATCHES batches of BENCH_BROWSER_CALLS calls
// (performance.now() around each batch), after WARMUP_BATCHES of each left out: V8 is still
// optimizing the first ones, and on two cores a batch now and then meets other work, so the
// batches are many (a batch of all three cases takes about 0.15 s). Writes browser.json.
//
//   node bench/browser.mjs    (after scripts/build-pkg.sh)
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { envNumber, root, spread, writeResult } from './lib.mjs';

const CALLS = envNumber('BENCH_BROWSER_CALLS', 2000);
const BATCHES = envNumber('BENCH_BROWSER_BATCHES', 41);
/** Batches of each case run first and left out. */
const WARMUP_BATCHES = 3;
/** The five people of benches/core.rs's add. */
const PEOPLE = ['15551234567@c.us', '4915112345678@s.whatsapp.net', '447911123456@c.us', '123456789012345@lid', '33612345678@s.whatsapp.net'];
const GROUP = '120363298657503778@g.us';

const PAGE = `<!doctype html><meta charset="utf-8"><script type="module">
import init, { GroupsClient, validateRequest } from '/groupgate.js';
await init();
const ADD_PATH = '/api/default/groups/' + ${JSON.stringify('120363298657503778@g.us')} + '/participants/add';
const client = new GroupsClient({ baseUrl: 'http://127.0.0.1:9', apiKey: 'bench-browser-key', session: 'default' });
const signal = AbortSignal.abort();
/** Per case: the call's options, and the refusal every call must end in. */
const CASES = {
  validated: [{ signal }, (e) => e.code === 'aborted'],
  refusedBeforeValidation: [42, (e) => e.code === 'validation_failed' && /^options:/.test(e.detail)],
};
/** µs per call of n validateRequest calls of the add; each must render the five people. */
window.checkBatch = (people, n) => {
  const body = JSON.stringify({ participants: people.map((id) => ({ id })) });
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    const rendered = validateRequest('POST', ADD_PATH, body);
    if (rendered.method !== 'POST' || rendered.path !== ADD_PATH || !rendered.body.includes(people[0])) throw new Error('validateRequest did not render the add');
  }
  return (performance.now() - started) * 1000 / n;
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
  // The package as a browser loads it: the glue, the wasm, and the glue's snippets (JS modules).
  const type = path === '/groupgate_bg.wasm' ? 'application/wasm'
    : path === '/groupgate.js' || /^\/snippets\/[\w./-]+\.js$/.test(path) && !path.includes('..') ? 'text/javascript' : null;
  if (!type) return res.writeHead(404).end();
  res.writeHead(200, { 'content-type': type }).end(readFileSync(`${root}pkg${path}`));
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  await page.locator('body[data-ready="true"]').waitFor({ state: 'attached' });
  const version = browser.version();
  const cases = { validated: [], refusedBeforeValidation: [] };
  for (let i = 0; i < WARMUP_BATCHES; i++) {
    await page.evaluate(([p, n]) => window.checkBatch(p, n), [PEOPLE, CALLS]);
    for (const name of Object.keys(cases)) await page.evaluate(([c, p, g, n]) => window.batch(c, p, g, n), [name, PEOPLE, GROUP, CALLS]);
  }
  const checked = [];
  // Batches alternate between the cases, so drift falls on all of them.
  for (let i = 0; i < BATCHES; i++) {
    checked.push(await page.evaluate(([p, n]) => window.checkBatch(p, n), [PEOPLE, CALLS]));
    for (const name of Object.keys(cases)) {
      cases[name].push(await page.evaluate(([c, p, g, n]) => window.batch(c, p, g, n), [name, PEOPLE, GROUP, CALLS]));
    }
  }
  const validated = spread(cases.validated);
  const before = spread(cases.refusedBeforeValidation);
  const validationUs = spread(cases.validated.map((v, i) => v - cases.refusedBeforeValidation[i]));
  const checkedUs = spread(checked);
  writeResult('browser', { chromium: version, calls: CALLS, batches: BATCHES, checkedUs, validatedUs: validated, refusedBeforeValidationUs: before, validationUs });
  process.stderr.write(`browser: validateRequest ${checkedUs.median.toFixed(2)} µs/call, addParticipants validated ${validated.median.toFixed(2)} µs/call, refused before validation ${before.median.toFixed(2)} µs/call\n`);
} finally {
  await browser.close();
  server.close();
}
