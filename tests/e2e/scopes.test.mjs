// Keys a browser can safely hold: scopes per operation (one allowed and one refused operation per
// scope, a refusal never forwarded and logged with its scope), origin-bound keys, today's key
// syntax unchanged, GET /groupgate/key, and bad API_KEYS entries named by position.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CLIENT_KEY, SALES_KEY, READ_KEY, TEST_ORIGIN } from './stack.mjs';
import {
  assertProblem, assertNoSecrets, contractRoutes, useStack, ALPHA, BETA, GAMMA, SECRETS,
} from './proxy-helpers.mjs';

/** One key per scope, holding only that scope (every session). */
const SCOPE_KEYS = Object.fromEntries(
  ['read', 'write', 'members', 'invite', 'create', 'delete', 'refresh'].map((scope) => [scope, `only-${scope}-key-0123456789`]),
);
/** The example form: sessions, then a comma-separated scope list inside the list. */
const OPS_KEY = 'ops-key-0123456789abcdef';
/** Bound to the console's origin (and the browser tests' origin). */
const BOUND_KEY = 'origin-bound-key-0123456789';
const CONSOLE = 'https://console.example.com';
/** Bound to the console only, although TEST_ORIGIN is in ALLOWED_ORIGINS. */
const CONSOLE_ONLY_KEY = 'console-only-key-0123456789';

const API_KEYS = [
  CLIENT_KEY,
  `${SALES_KEY}:sales`,
  `${READ_KEY}:*:read`,
  ...Object.entries(SCOPE_KEYS).map(([scope, key]) => `${key}:*:${scope}`),
  `${OPS_KEY}:sales|support:members,read,create`,
  `${BOUND_KEY}:*:read,write:${CONSOLE}|${TEST_ORIGIN}`,
  `${CONSOLE_ONLY_KEY}:*:*:${CONSOLE}`,
].join(',');
const ALL_SECRETS = [...SECRETS, ...Object.values(SCOPE_KEYS), OPS_KEY, BOUND_KEY, CONSOLE_ONLY_KEY];

const t = useStack({ captureLogs: true, vars: { API_KEYS } });

const PERSON = { participants: [{ id: '15557654321@c.us' }] };
/** One request of each scope: its method, path and body. */
const REQUESTS = {
  read: { method: 'GET', path: '/api/default/groups/count' },
  write: { method: 'PUT', path: `/api/default/groups/${ALPHA}/subject`, body: { subject: 'Renamed' } },
  members: { method: 'POST', path: `/api/default/groups/${ALPHA}/participants/add`, body: PERSON },
  invite: { method: 'POST', path: `/api/default/groups/${ALPHA}/invite-code/revoke` },
  create: { method: 'POST', path: '/api/default/groups', body: { name: 'Team', ...PERSON } },
  delete: { method: 'POST', path: `/api/default/groups/${GAMMA}/leave` },
  refresh: { method: 'POST', path: '/api/default/groups/refresh' },
};
/** For each scope, an operation of another scope its key must be refused. */
const REFUSED = { read: 'write', write: 'read', members: 'invite', invite: 'members', create: 'delete', delete: 'create', refresh: 'read' };

const call = (key, { method, path, body }, headers = {}) => t.gw.call(path, { method, body, headers: { 'x-api-key': key, ...headers } });

/** Asserts a scope refusal: 403 forbidden naming the scope, nothing forwarded, logged with the scope. */
async function assertScopeRefused(res, scope) {
  const p = assertProblem(res, 403, 'forbidden');
  assert.equal(p.detail, `this key may not use scope ${scope}`);
  assert.equal(res.headers.get('ratelimit'), null, 'no rate-limit unit is spent on a refusal');
  assert.deepEqual(await t.gw.received(), [], 'a refused request is never forwarded');
  const line = await t.stack.logLine(res.headers.get('x-request-id'));
  assert.equal(line.scope, scope);
  assert.equal(line.error, 'forbidden');
  assert.equal(line.upstreamStatus, null);
}

for (const [scope, key] of Object.entries(SCOPE_KEYS)) {
  test(`a key with only ${scope}: ${REFUSED[scope]} refused (not forwarded), ${scope} allowed (forwarded)`, async () => {
    await assertScopeRefused(await call(key, REQUESTS[REFUSED[scope]]), REFUSED[scope]);
    const allowed = await call(key, REQUESTS[scope]);
    assert.ok(allowed.status >= 200 && allowed.status < 300, `${allowed.status} ${allowed.text}`);
    const [fwd, ...more] = await t.gw.received();
    assert.deepEqual(more, []);
    assert.equal(`${fwd.method} ${fwd.path}`, `${REQUESTS[scope].method} ${REQUESTS[scope].path}`);
    const line = await t.stack.logLine(allowed.headers.get('x-request-id'));
    assert.equal(line.scope, scope);
  });
}

test('a read-only key: every WAHA write route is refused before validation, every read goes through', async () => {
  for (const { method, template } of contractRoutes()) {
    const path = `/api/default${template.replace('{id}', ALPHA)}`;
    const res = await call(READ_KEY, { method, path, body: method === 'GET' || method === 'DELETE' ? undefined : {} });
    if (method === 'GET') {
      assert.notEqual(res.status, 403, `${method} ${template}: ${res.text}`);
      continue;
    }
    // The empty body is invalid for most writes: the scope is refused first.
    const p = assertProblem(res, 403, 'forbidden');
    assert.match(p.detail, /^this key may not use scope (write|members|invite|create|delete|refresh)$/, `${method} ${template}`);
  }
  const forwarded = await t.gw.received();
  assert.ok(forwarded.length > 0 && forwarded.every((r) => r.method === 'GET'), 'only the reads were forwarded');
});

test('scopes leave rate limits unchanged: a refused add spends nothing', async () => {
  const remaining = (res) => Number(/;r=(\d+);/.exec(res.headers.get('ratelimit') ?? '')?.[1]);
  const first = await call(SCOPE_KEYS.members, REQUESTS.members);
  assert.equal(first.status, 201, first.text);
  await t.gw.clearReceived();
  await assertScopeRefused(await call(SCOPE_KEYS.read, REQUESTS.members), 'members');
  await t.gw.reset();
  const second = await call(SCOPE_KEYS.members, REQUESTS.members);
  assert.equal(second.status, 201, second.text);
  assert.ok(remaining(first) > 0, `a RateLimit header: ${first.headers.get('ratelimit')}`);
  assert.equal(remaining(second), remaining(first) - 1, 'only the two allowed adds spent a unit');
});

test('the scope list inside the comma-separated list (key:sales|support:members,read,create)', async () => {
  const inSales = (request) => ({ ...request, path: request.path.replace('/api/default/', '/api/sales/') });
  for (const scope of ['members', 'read', 'create']) {
    const res = await call(OPS_KEY, inSales(REQUESTS[scope]));
    assert.ok(res.status >= 200 && res.status < 300, `${scope}: ${res.status} ${res.text}`);
  }
  await t.gw.clearReceived();
  await assertScopeRefused(await call(OPS_KEY, inSales(REQUESTS.delete)), 'delete');
  const otherSession = assertProblem(await call(OPS_KEY, REQUESTS.read), 403, 'forbidden');
  assert.equal(otherSession.detail, 'this API key may not use session default');
  assert.deepEqual(await t.gw.received(), []);
});

test("today's syntax is unchanged: a bare key and key:sales hold every scope", async () => {
  for (const scope of Object.keys(REQUESTS)) {
    await t.gw.reset();
    const res = await call(CLIENT_KEY, REQUESTS[scope]);
    assert.ok(res.status >= 200 && res.status < 300, `bare key, ${scope}: ${res.status} ${res.text}`);
    const sales = await call(SALES_KEY, { ...REQUESTS[scope], path: REQUESTS[scope].path.replace('/api/default/', '/api/sales/') });
    assert.ok(sales.status >= 200 && sales.status < 300, `key:sales, ${scope}: ${sales.status} ${sales.text}`);
  }
  assertProblem(await call(SALES_KEY, REQUESTS.read), 403, 'forbidden');
});

describe('origin-bound keys', () => {
  test('refused from another origin (even with an invalid request), nothing forwarded', async () => {
    for (const origin of ['https://evil.example', 'null', `${CONSOLE}.evil.example`]) {
      const res = await call(BOUND_KEY, REQUESTS.read, { origin });
      const p = assertProblem(res, 403, 'origin_not_allowed');
      assert.match(p.detail, /may not be used from this origin/);
      assert.ok(!p.detail.includes(origin), 'the origin is not echoed');
    }
    const invalid = await call(BOUND_KEY, { ...REQUESTS.write, body: { subject: '' } }, { origin: 'https://evil.example' });
    assertProblem(invalid, 403, 'origin_not_allowed');
    assert.deepEqual(await t.gw.received(), []);
  });

  test('accepted from its own origins (any case) and without Origin', async () => {
    for (const origin of [CONSOLE, CONSOLE.toUpperCase(), TEST_ORIGIN, undefined]) {
      const res = await call(BOUND_KEY, REQUESTS.read, { origin });
      assert.equal(res.status, 200, `${origin}: ${res.text}`);
    }
    assert.equal((await t.gw.received()).length, 4);
  });

  test('CORS does not rescue it: an origin in ALLOWED_ORIGINS but not the key\'s is refused', async () => {
    const res = await call(CONSOLE_ONLY_KEY, REQUESTS.read, { origin: TEST_ORIGIN });
    assertProblem(res, 403, 'origin_not_allowed');
    assert.equal(res.headers.get('access-control-allow-origin'), TEST_ORIGIN, 'the page can read why');
    assert.deepEqual(await t.gw.received(), []);
    const own = await call(CONSOLE_ONLY_KEY, REQUESTS.write, { origin: CONSOLE });
    assert.equal(own.status, 200, own.text);
  });

  test('the scope is still checked from the right origin', async () => {
    await assertScopeRefused(await call(BOUND_KEY, REQUESTS.members, { origin: CONSOLE }), 'members');
  });
});

describe('GET /groupgate/key', () => {
  test('answers the calling key\'s sessions, scopes and origins, never the key, without the upstream', async () => {
    const res = await call(OPS_KEY, { method: 'GET', path: '/groupgate/key' });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get('content-type'), 'application/json');
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.deepEqual(res.json, { sessions: ['sales', 'support'], scopes: ['read', 'members', 'create'], origins: '*' });
    const bound = await call(BOUND_KEY, { method: 'GET', path: '/groupgate/key' }, { origin: CONSOLE });
    assert.deepEqual(bound.json, { sessions: '*', scopes: ['read', 'write'], origins: [CONSOLE, TEST_ORIGIN] });
    const every = await t.gw.call('/groupgate/key', { headers: { 'x-api-key': undefined, authorization: `Bearer ${CLIENT_KEY}` } });
    assert.deepEqual(every.json, {
      sessions: '*', scopes: ['read', 'write', 'members', 'invite', 'create', 'delete', 'refresh'], origins: '*',
    });
    const line = await t.stack.logLine(res.headers.get('x-request-id'));
    assert.equal(line.operation, 'scopes');
    assert.deepEqual(await t.gw.received(), [], 'the upstream is never asked');
  });

  test('strangers, other origins, methods and paths are refused', async () => {
    const stranger = assertProblem(await t.gw.fetch('/groupgate/key'), 401, 'unauthorized');
    assert.match(stranger.detail, /missing API key/);
    assertProblem(await call('wrong-key-0123456789abcdef', { method: 'GET', path: '/groupgate/key' }), 401, 'unauthorized');
    assertProblem(await call(BOUND_KEY, { method: 'GET', path: '/groupgate/key' }, { origin: 'https://evil.example' }), 403, 'origin_not_allowed');
    const post = await call(CLIENT_KEY, { method: 'POST', path: '/groupgate/key', body: {} });
    assertProblem(post, 405, 'method_not_allowed');
    assert.equal(post.headers.get('allow'), 'GET');
    assertProblem(await call(CLIENT_KEY, { method: 'GET', path: '/groupgate/keys' }), 404, 'not_found');
    // The rest of /groupgate/ is the console's copy of the npm module: public static files.
    assertProblem(await t.gw.fetch('/groupgate/keys'), 404, 'not_found');
    assert.deepEqual(await t.gw.received(), []);
  });

  test('a browser preflight for it is answered like any route', async () => {
    const res = await t.gw.fetch('/groupgate/key', {
      method: 'OPTIONS', headers: { origin: TEST_ORIGIN, 'access-control-request-method': 'GET', 'access-control-request-headers': 'x-api-key' },
    });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), TEST_ORIGIN);
  });
});

test('no key appears in any response of this file', () => {
  for (const res of t.gw.seen) {
    for (const secret of ALL_SECRETS) assert.ok(!res.text.includes(secret), `a key in a ${res.status} body`);
  }
  assertNoSecrets(t.gw.seen);
});

describe('a bad API_KEYS entry', () => {
  const bad = useStack({ vars: { API_KEYS: `${CLIENT_KEY},${OPS_KEY}:sales:read|admin` } });

  test('every request → 500 misconfigured naming the entry and the item, never the key', async () => {
    for (const path of ['/api/default/groups', '/groupgate/key']) {
      const p = assertProblem(await bad.gw.call(path), 500, 'misconfigured');
      assert.equal(p.detail, 'API_KEYS entry 2: scope 2 is not one of read, write, members, invite, create, delete, refresh');
      assert.ok(!p.detail.includes(OPS_KEY) && !p.detail.includes('admin'));
    }
    assert.deepEqual(await bad.gw.received(), []);
  });
});
