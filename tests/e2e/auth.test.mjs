// The edge proxy: client authentication (X-Api-Key or Authorization: Bearer), keys
// restricted to sessions, keys in the query ignored, and no key ever echoed in a response.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLIENT_KEY, SALES_KEY, UPSTREAM_KEY } from './stack.mjs';
import { assertProblem, assertNoSecrets, ALPHA, useStack } from './proxy-helpers.mjs';

const t = useStack({ captureLogs: true });

const COUNT = '/api/default/groups/count';
const CHALLENGE = 'Bearer realm="groupgate"';

/** Asserts a 401 problem with its challenge and that nothing reached the upstream. */
async function assertUnauthorized(res) {
  assertProblem(res, 401, 'unauthorized');
  assert.equal(res.headers.get('www-authenticate'), CHALLENGE);
  assert.deepEqual(await t.gw.received(), [], 'an unauthenticated request is never forwarded');
}

test('no key → 401 with WWW-Authenticate', async () => {
  const res = await t.gw.fetch(COUNT);
  await assertUnauthorized(res);
  assert.match(res.json.detail, /missing API key/);
});

test('an empty X-Api-Key → 401', async () => {
  await assertUnauthorized(await t.gw.call(COUNT, { headers: { 'x-api-key': '' } }));
});

for (const [name, key] of [
  ['a wrong key', 'wrong-key-0123456789abcdef'],
  ['the key with one character less', CLIENT_KEY.slice(0, -1)],
  ['the key with one character more', `${CLIENT_KEY}0`],
  ['the key in upper case', CLIENT_KEY.toUpperCase()],
  ['the upstream key', UPSTREAM_KEY],
]) {
  test(`${name} → 401 invalid API key`, async () => {
    const res = await t.gw.call(COUNT, { headers: { 'x-api-key': key } });
    await assertUnauthorized(res);
    assert.match(res.json.detail, /invalid API key/);
  });
}

test('Authorization: Bearer <key> works and is not forwarded', async () => {
  const res = await t.gw.call(COUNT, { headers: { 'x-api-key': undefined, authorization: `Bearer ${CLIENT_KEY}` } });
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.json, { count: 3 });
  const [fwd] = await t.gw.received();
  assert.equal(fwd.headers['x-api-key'], UPSTREAM_KEY);
  assert.equal(fwd.headers.authorization, undefined);
});

test('the Bearer scheme is case-insensitive', async () => {
  const res = await t.gw.call(COUNT, { headers: { 'x-api-key': undefined, authorization: `bearer ${CLIENT_KEY}` } });
  assert.equal(res.status, 200, res.text);
});

test('another scheme (Basic) or a wrong bearer token → 401', async () => {
  const basic = Buffer.from(`user:${CLIENT_KEY}`).toString('base64');
  await assertUnauthorized(await t.gw.call(COUNT, { headers: { 'x-api-key': undefined, authorization: `Basic ${basic}` } }));
  await assertUnauthorized(await t.gw.call(COUNT, { headers: { 'x-api-key': undefined, authorization: `Bearer ${CLIENT_KEY}x` } }));
  await assertUnauthorized(await t.gw.call(COUNT, { headers: { 'x-api-key': undefined, authorization: CLIENT_KEY } }));
});

test('a key restricted to session sales: 403 on default, 200 on sales', async () => {
  const denied = await t.gw.call(COUNT, { headers: { 'x-api-key': SALES_KEY } });
  assertProblem(denied, 403, 'forbidden');
  assert.equal(denied.headers.get('www-authenticate'), null);
  assert.deepEqual(await t.gw.received(), []);

  const allowed = await t.gw.call('/api/sales/groups/count', { headers: { 'x-api-key': SALES_KEY } });
  assert.equal(allowed.status, 200, allowed.text);
  const [fwd] = await t.gw.received();
  assert.equal(fwd.path, '/api/sales/groups/count');
  assert.equal(fwd.headers['x-api-key'], UPSTREAM_KEY);

  const bearer = await t.gw.call('/api/sales/groups/count', { headers: { 'x-api-key': undefined, authorization: `Bearer ${SALES_KEY}` } });
  assert.equal(bearer.status, 200);
  const other = await t.gw.call(`/api/marketing/groups/${ALPHA}`, { headers: { 'x-api-key': SALES_KEY } });
  assertProblem(other, 403, 'forbidden');
});

test('the unrestricted key may use any session', async () => {
  const res = await t.gw.call('/api/sales/groups/count');
  assert.equal(res.status, 200);
});

test('a key in the query string is ignored (401), and so is a key in the body', async () => {
  for (const name of ['x-api-key', 'api_key', 'apiKey', 'key', 'token']) {
    await assertUnauthorized(await t.gw.fetch(`${COUNT}?${name}=${CLIENT_KEY}`));
  }
  await assertUnauthorized(await t.gw.fetch(`/api/default/groups/${ALPHA}/subject`, {
    method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ subject: 'x', apiKey: CLIENT_KEY }),
  }));
});

test('authentication comes before validation and routing: no detail for strangers', async () => {
  // A bad body, an unknown route and a wrong method all answer 401 without a key.
  await assertUnauthorized(await t.gw.fetch(`/api/default/groups/${ALPHA}/participants/add`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"participants":[]}',
  }));
  await assertUnauthorized(await t.gw.fetch('/api/default/groups/nothing/here'));
  await assertUnauthorized(await t.gw.fetch(COUNT, { method: 'DELETE' }));
});

test('the authenticated request is logged without any key', async () => {
  const res = await t.gw.call(COUNT, { headers: { 'x-api-key': undefined, authorization: `Bearer ${CLIENT_KEY}` } });
  const id = res.headers.get('x-request-id');
  const log = await t.stack.logLine(id);
  assert.equal(log.status, 200);
  const denied = await t.gw.call(COUNT, { headers: { 'x-api-key': `${CLIENT_KEY}-wrong` } });
  const deniedLog = await t.stack.logLine(denied.headers.get('x-request-id'));
  assert.equal(deniedLog.status, 401);
  assert.equal(deniedLog.error, 'unauthorized');
  for (const entry of t.stack.logs) {
    for (const secret of [CLIENT_KEY, SALES_KEY, UPSTREAM_KEY]) {
      assert.ok(!entry.message.includes(secret), `a key in the log: ${entry.message}`);
    }
  }
});

test('no key appears in any response of this file', () => assertNoSecrets(t.gw.seen));
