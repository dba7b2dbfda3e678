// The worker ships the console as static assets on the API's origin: files are served (compressed,
// with their types), everything else outside /api is the API's 404 problem, and the API is unchanged.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CLIENT_KEY, startStack } from '../e2e/stack.mjs';

let stack;
before(async () => { stack = await startStack({ assets: true, captureLogs: true }); });
after(() => stack?.close());

const get = (path, headers = {}) => fetch(`${stack.url}${path}`, { headers: { 'accept-encoding': 'gzip', ...headers } });

test('the console and the built module are served from the same origin', async () => {
  const page = await get('/');
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type'), /^text\/html/);
  assert.equal(page.headers.get('content-encoding'), 'gzip');
  const html = await page.text();
  assert.match(html, /<script type="importmap">\{"imports":\{"groupgate":"\.\/groupgate\/groupgate\.js"\}\}<\/script>/);
  const wasm = await get('/groupgate/groupgate_bg.wasm');
  assert.equal(wasm.headers.get('content-type'), 'application/wasm');
  assert.deepEqual([...new Uint8Array(await wasm.arrayBuffer()).slice(0, 4)], [0, 0x61, 0x73, 0x6d], 'a wasm module');
  const glue = await get('/groupgate/groupgate.js');
  assert.match(glue.headers.get('content-type'), /javascript/);
  const glueText = await glue.text();
  assert.match(glueText, /addParticipantsPaced/);
  // Every module the glue imports (its snippets) is served beside it.
  const imports = [...glueText.matchAll(/from\s*["']\.\/(snippets\/[^"']+\.js)["']/g)].map((m) => m[1]);
  assert.ok(imports.length > 0, 'the glue imports its snippets');
  for (const path of imports) {
    const snippet = await get(`/groupgate/${path}`);
    assert.equal(snippet.status, 200, path);
    assert.match(snippet.headers.get('content-type'), /javascript/, path);
    assert.match(await snippet.text(), /export function/, path);
  }
});

test('a missing file is the API’s 404 problem, and the API answers as before', async () => {
  const missing = await get('/no-such-page');
  assert.equal(missing.status, 404);
  assert.equal(missing.headers.get('content-type'), 'application/problem+json');
  assert.equal((await missing.json()).code, 'not_found');
  const api = await get('/api/default/nothing-here', { 'x-api-key': CLIENT_KEY });
  assert.equal((await api.json()).code, 'not_found');
  const groups = await get('/api/default/groups', { 'x-api-key': CLIENT_KEY });
  assert.equal(groups.status, 200);
  assert.equal((await groups.json()).length, 3);
  assert.equal((await get('/healthz')).status, 200);
});

test('an asset answer is an exchange like every other: its request id, Vary and log line', async () => {
  const requestId = 'console-asset-request-1';
  const page = await get('/', { 'x-request-id': requestId });
  assert.equal(page.status, 200);
  assert.equal(page.headers.get('x-request-id'), requestId);
  assert.match(page.headers.get('vary') ?? '', /Origin/);
  await page.arrayBuffer();
  const line = await stack.logLine(requestId);
  assert.equal(line.status, 200);
});
