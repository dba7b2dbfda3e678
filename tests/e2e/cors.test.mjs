// The edge proxy: CORS for browser clients — preflights granted only to
// ALLOWED_ORIGINS, and the rate-limit and request-id headers exposed to them.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { CLIENT_KEY, TEST_ORIGIN } from './stack.mjs';
import { assertProblem, assertNoSecrets, ALPHA, useStack } from './proxy-helpers.mjs';

const OTHER_ORIGIN = 'https://evil.example';
const ADD = `/api/default/groups/${ALPHA}/participants/add`;

/** A comma-separated header value as a lower-case set. */
const list = (value) => new Set((value ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean));

function preflight(gw, origin, { method = 'POST', headers = 'x-api-key, content-type, idempotency-key' } = {}) {
  const h = { 'access-control-request-method': method, 'access-control-request-headers': headers };
  if (origin !== undefined) h.origin = origin;
  return gw.fetch(ADD, { method: 'OPTIONS', headers: h });
}

describe('with ALLOWED_ORIGINS set to the test origin', () => {
  const t = useStack();

  test('a preflight from the allowed origin → 204 with methods and headers', async () => {
    const res = await preflight(t.gw, TEST_ORIGIN);
    assert.equal(res.status, 204);
    assert.equal(res.text, '');
    assert.equal(res.headers.get('access-control-allow-origin'), TEST_ORIGIN);
    const methods = list(res.headers.get('access-control-allow-methods'));
    for (const m of ['get', 'post', 'put', 'delete']) assert.ok(methods.has(m), `method ${m}`);
    const headers = list(res.headers.get('access-control-allow-headers'));
    for (const h of ['x-api-key', 'authorization', 'content-type', 'idempotency-key', 'x-request-id']) {
      assert.ok(headers.has(h), `header ${h} allowed: ${res.headers.get('access-control-allow-headers')}`);
    }
    assert.ok(Number(res.headers.get('access-control-max-age')) > 0);
    assert.ok(list(res.headers.get('vary')).has('origin'));
    assert.equal(res.headers.get('access-control-allow-credentials'), null, 'no cookies: keys travel in headers');
    assert.deepEqual(await t.gw.received(), [], 'a preflight is answered at the edge');
  });

  test('a preflight needs no key and is granted for PUT and DELETE too', async () => {
    for (const method of ['PUT', 'DELETE', 'GET']) {
      const res = await preflight(t.gw, TEST_ORIGIN, { method, headers: 'authorization' });
      assert.equal(res.status, 204, method);
    }
  });

  test('a response to the allowed origin carries ACAO and exposes RateLimit, Retry-After, X-Request-Id', async () => {
    const res = await t.gw.call(ADD, {
      method: 'POST', body: { participants: [{ id: '15551234567@c.us' }] }, headers: { origin: TEST_ORIGIN },
    });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.headers.get('access-control-allow-origin'), TEST_ORIGIN);
    const exposed = list(res.headers.get('access-control-expose-headers'));
    for (const h of ['ratelimit', 'ratelimit-policy', 'retry-after', 'x-request-id']) {
      assert.ok(exposed.has(h), `${h} exposed: ${res.headers.get('access-control-expose-headers')}`);
    }
    // The exposed fields are really there on a limited route.
    assert.ok(res.headers.get('ratelimit'), 'RateLimit present');
    assert.ok(res.headers.get('ratelimit-policy'), 'RateLimit-Policy present');
    assert.ok(res.headers.get('x-request-id'));
    assert.ok(list(res.headers.get('vary')).has('origin'));
  });

  test('problems reach the allowed origin readable (ACAO on a 401 and a 422)', async () => {
    const unauthorized = await t.gw.fetch('/api/default/groups/count', { headers: { origin: TEST_ORIGIN } });
    assertProblem(unauthorized, 401, 'unauthorized');
    assert.equal(unauthorized.headers.get('access-control-allow-origin'), TEST_ORIGIN);
    const invalid = await t.gw.call(ADD, { method: 'POST', body: { participants: [] }, headers: { origin: TEST_ORIGIN } });
    assertProblem(invalid, 422, 'validation_failed');
    assert.equal(invalid.headers.get('access-control-allow-origin'), TEST_ORIGIN);
  });

  test('a preflight from another origin → 403 origin_not_allowed, no ACAO', async () => {
    const res = await preflight(t.gw, OTHER_ORIGIN);
    assertProblem(res, 403, 'origin_not_allowed');
    assert.equal(res.headers.get('access-control-allow-origin'), null);
    assert.equal(res.headers.get('access-control-allow-methods'), null);
    assert.equal(res.headers.get('access-control-allow-headers'), null);
  });

  test('look-alike origins are refused (other port, scheme, suffix, null)', async () => {
    const url = new URL(TEST_ORIGIN);
    for (const origin of [
      `${url.protocol}//${url.hostname}:${Number(url.port) + 1}`,
      TEST_ORIGIN.replace('http:', 'https:'),
      `${TEST_ORIGIN}.evil.example`,
      'null',
    ]) {
      const res = await preflight(t.gw, origin);
      assertProblem(res, 403, 'origin_not_allowed');
      assert.equal(res.headers.get('access-control-allow-origin'), null, origin);
    }
  });

  test('a preflight without Origin is refused', async () => {
    assertProblem(await preflight(t.gw, undefined), 403, 'origin_not_allowed');
  });

  test('an actual request from another origin gets no ACAO', async () => {
    const res = await t.gw.call('/api/default/groups/count', { headers: { origin: OTHER_ORIGIN } });
    assert.equal(res.headers.get('access-control-allow-origin'), null);
    assert.equal(res.headers.get('access-control-expose-headers'), null);
  });

  test('no key appears in any response of this group', () => assertNoSecrets(t.gw.seen));
});

describe('with no ALLOWED_ORIGINS', () => {
  const t = useStack({ vars: { ALLOWED_ORIGINS: '' } }, { each: null });

  test('every preflight is refused and no response carries ACAO', async () => {
    assertProblem(await preflight(t.gw, TEST_ORIGIN), 403, 'origin_not_allowed');
    const res = await t.gw.fetch('/api/default/groups/count', { headers: { origin: TEST_ORIGIN, 'x-api-key': CLIENT_KEY } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), null);
  });
});
