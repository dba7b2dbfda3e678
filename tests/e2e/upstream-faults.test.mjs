// The edge proxy: upstream failures become meaningful problems — timeouts, an unreachable
// or broken upstream, 5xx and 4xx answers, and WhatsApp's own errors hidden in WAHA's HTTP 500.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { assertProblem, assertNoSecrets, ALPHA, GAMMA, useStack } from './proxy-helpers.mjs';

const ADD = `/api/default/groups/${ALPHA}/participants/add`;
const GET_ALPHA = `/api/default/groups/${ALPHA}`;

/** A loopback port nothing listens on (bound, then closed). */
async function closedPort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('with a working upstream', () => {
  const t = useStack({ captureLogs: true });

  test('a dropped connection → 502 upstream_unavailable', async () => {
    await t.gw.fault({ drop: true, match: '/groups/' });
    const res = await t.gw.call(GET_ALPHA);
    assertProblem(res, 502, 'upstream_unavailable');
    assert.equal((await t.gw.received()).length, 1, 'it was forwarded once, not retried');
  });

  test('a garbage body under a JSON content type → 502 upstream_unavailable', async () => {
    await t.gw.fault({ garbage: true });
    const res = await t.gw.call(GET_ALPHA);
    const p = assertProblem(res, 502, 'upstream_unavailable');
    assert.equal(p.upstreamStatus, 200);
    assert.ok(!res.text.includes('<html>'), 'the garbage is not passed on');
  });

  for (const status of [503, 500, 502]) {
    test(`an upstream ${status} → 502 upstream_error with upstreamStatus ${status}`, async () => {
      await t.gw.fault({ status });
      const res = await t.gw.call(GET_ALPHA);
      const p = assertProblem(res, 502, 'upstream_error');
      assert.equal(p.upstreamStatus, status);
      assert.match(p.detail, new RegExp(`HTTP ${status}`));
    });
  }

  for (const [status, message] of [[400, 'Bad Request'], [404, 'Not Found'], [422, 'Unprocessable Entity'], [409, 'Conflict']]) {
    test(`an upstream ${status} keeps its status and message`, async () => {
      await t.gw.fault({ status });
      const res = await t.gw.call(GET_ALPHA);
      const p = assertProblem(res, status, 'upstream_error');
      assert.equal(p.upstreamStatus, status);
      assert.ok(p.detail.includes(message), p.detail);
    });
  }

  const WHATSAPP = [
    ['rate-overlimit', 429, 'whatsapp_rate_limited'],
    ['not-authorized', 403, 'whatsapp_not_authorized'],
    ['item-not-found', 404, 'whatsapp_not_found'],
    ['not-acceptable', 422, 'whatsapp_not_acceptable'],
    ['forbidden', 403, 'whatsapp_forbidden'],
    ['gone', 410, 'whatsapp_gone'],
    ['bad-request', 400, 'whatsapp_bad_request'],
  ];
  for (const [error, status, code] of WHATSAPP) {
    test(`WhatsApp's ${error} in a WAHA 500 → ${status} ${code}`, async () => {
      await t.gw.fault({ whatsappError: error });
      const res = await t.gw.call(GET_ALPHA);
      const p = assertProblem(res, status, code);
      assert.ok(p.detail.includes(error), p.detail);
      if (error === 'rate-overlimit') {
        assert.equal(res.headers.get('retry-after'), '60');
        assert.equal(p.retryAfter, 60);
      } else {
        assert.equal(res.headers.get('retry-after'), null);
      }
    });
  }

  test('WhatsApp errors the simulator raises by itself are mapped too', async () => {
    // Not an admin of Gamma → not-authorized.
    let res = await t.gw.call(`/api/default/groups/${GAMMA}/settings/security/membership-approval`, {
      method: 'PUT', body: { newMembersApprovalRequired: true },
    });
    assertProblem(res, 403, 'whatsapp_not_authorized');
    // No such group → item-not-found.
    res = await t.gw.call('/api/default/groups/120363999999999999@g.us');
    assertProblem(res, 404, 'whatsapp_not_found');
    // A revoked invite → gone.
    const revoked = await t.gw.call(`${GET_ALPHA}/invite-code/revoke`, { method: 'POST' });
    assert.equal(revoked.status, 201);
    res = await t.gw.call('/api/default/groups/join', { method: 'POST', body: { code: 'AlphaInviteCode0000001' } });
    assertProblem(res, 410, 'whatsapp_gone');
  });

  test('a fault on one call does not stick: the next call is answered normally', async () => {
    await t.gw.fault({ status: 503, times: 1 });
    assertProblem(await t.gw.call(GET_ALPHA), 502, 'upstream_error');
    const res = await t.gw.call(GET_ALPHA);
    assert.equal(res.status, 200);
    assert.equal(res.json.id, ALPHA);
  });

  test('a delay under the timeout is waited for', async () => {
    await t.gw.fault({ delayMs: 200 });
    const started = Date.now();
    const res = await t.gw.call(GET_ALPHA);
    assert.equal(res.status, 200);
    assert.ok(Date.now() - started >= 190);
  });

  test('an upstream failure of a limited call is logged with its upstream status', async () => {
    await t.gw.fault({ status: 503 });
    const res = await t.gw.call(ADD, { method: 'POST', body: { participants: [{ id: '15551234567@c.us' }] } });
    assertProblem(res, 502, 'upstream_error');
    const log = await t.stack.logLine(res.headers.get('x-request-id'));
    assert.equal(log.status, 502);
    assert.equal(log.upstreamStatus, 503);
    assert.equal(log.error, 'upstream_error');
    assert.equal(log.operation, 'addParticipants');
  });

  test('no key appears in any response of this group', () => assertNoSecrets(t.gw.seen));
});

describe('with UPSTREAM_TIMEOUT_MS=300', () => {
  const t = useStack({ vars: { UPSTREAM_TIMEOUT_MS: '300' }, captureLogs: true }, { each: null });

  test('an upstream slower than the timeout → 504 upstream_timeout, in time', async () => {
    await t.gw.reset();
    await t.gw.fault({ delayMs: 1500 });
    const started = Date.now();
    const res = await t.gw.call(GET_ALPHA);
    const elapsed = Date.now() - started;
    const p = assertProblem(res, 504, 'upstream_timeout');
    assert.match(p.detail, /300 ms/);
    assert.ok(elapsed >= 280 && elapsed < 1200, `answered after ${elapsed} ms`);
    assert.equal((await t.gw.received()).length, 1);
  });

  test('a fast upstream is still answered', async () => {
    await t.gw.reset();
    const res = await t.gw.call('/api/default/groups/count');
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, { count: 3 });
  });

  test('no key appears in any response of this group', () => assertNoSecrets(t.gw.seen));
});

describe('with the upstream down', () => {
  const t = useStack(async () => ({ upstreamUrl: `http://127.0.0.1:${await closedPort()}` }), { each: null });

  test('a connection refused → 502 upstream_unavailable', async () => {
    const res = await t.gw.call(GET_ALPHA);
    const p = assertProblem(res, 502, 'upstream_unavailable');
    assert.equal(p.upstreamStatus, undefined, 'no upstream status: nothing answered');
  });

  test('validation still answers first: a bad request is a 422, not a 502', async () => {
    const res = await t.gw.call(ADD, { method: 'POST', body: { participants: [] } });
    assertProblem(res, 422, 'validation_failed', [{ pointer: '/participants', code: 'empty_list' }]);
  });

  test('no key appears in any response of this group', () => assertNoSecrets(t.gw.seen));
});

describe('with a wrong UPSTREAM_API_KEY', () => {
  const t = useStack({ vars: { UPSTREAM_API_KEY: 'not-the-upstream-key-000' } }, { each: null });

  test("the upstream's 401 is the gateway's fault: 502 upstream_error, not the client's 401", async () => {
    const res = await t.gw.call(GET_ALPHA);
    const problem = await assertProblem(res, 502, 'upstream_error');
    assert.equal(problem.upstreamStatus, 401);
    assert.match(problem.detail, /UPSTREAM_API_KEY/);
    assert.equal(res.headers.get('www-authenticate'), null, 'the client is not asked for other credentials');
    assert.ok(!res.text.includes('not-the-upstream-key-000'), 'the configured key is not echoed');
  });

  test('no key appears in any response of this group', () => assertNoSecrets(t.gw.seen));
});
