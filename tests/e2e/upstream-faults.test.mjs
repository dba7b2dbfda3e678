// The edge proxy: upstream failures become meaningful problems — timeouts, an unreachable
// or broken upstream, 5xx and 4xx answers, and WhatsApp's own errors hidden in WAHA's HTTP 500.
// Every fault is a row of upstream-fault-table.mjs, run with each UPSTREAM_ANSWER_CHECK: the Worker
// answers its problem within the timeout (or, where a successful answer streams through unread,
// passes it on as the row says), forwards once, logs it, and serves the next request normally.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { assertProblem, assertNoSecrets, peakMemoryOfWorkerd, ALPHA, GAMMA, useStack } from './proxy-helpers.mjs';
import { CLIENT_KEY } from './stack.mjs';
import { FAULT_TIMEOUT_MS, UPSTREAM_ANSWER_MAX_BYTES, UPSTREAM_FAULTS } from './upstream-fault-table.mjs';
import { GARBAGE_BODY, KINDS } from '../../sim/faults.mjs';
import { WHATSAPP_ERROR_CODES } from '../../sim/http.mjs';

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

/**
 * A row whose answer streams (`UPSTREAM_ANSWER_CHECK=headers`), or is passed on with either check:
 * 200 with the upstream's JSON type within the timeout, logged as a success, then the body as sent
 * (garbage as it was, a passed answer as injected, anything else whole JSON), or cut short: it
 * breaks off, or ends early, and is never whole JSON.
 *
 * The request closes its connection after the answer: workerd closes it anyway once a streamed
 * body broke off, and a pooled connection could carry the next request before that close
 * arrives (a reset that says nothing about the Worker).
 */
async function assertStreamed(t, row) {
  const started = Date.now();
  const res = await fetch(t.stack.url + GET_ALPHA, { headers: { 'x-api-key': CLIENT_KEY, connection: 'close' } });
  const elapsed = Date.now() - started;
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /json/);
  assert.ok(elapsed < FAULT_TIMEOUT_MS + 1500, `the status came after ${elapsed} ms`);
  const body = await res.text().then((text) => ({ text }), (error) => ({ error }));
  const whole = body.text !== undefined && (() => {
    try {
      JSON.parse(body.text);
      return true;
    } catch {
      return false;
    }
  })();
  if (row.streamed === 'cut') assert.ok(!whole, 'a body cut short is never whole JSON');
  else if (row.inject.garbage) assert.equal(body.text, GARBAGE_BODY);
  else if (row.passed) assert.equal(body.text, row.inject.answerJson);
  else assert.ok(whole, `the whole body: ${body.error ?? `${body.text.length} bytes`}`);
  const log = await t.stack.logLine(res.headers.get('x-request-id'));
  assert.deepEqual([log.status, log.error, log.upstreamStatus], [200, null, 200]);
}

for (const check of ['body', 'headers']) {
  describe(`with UPSTREAM_TIMEOUT_MS=${FAULT_TIMEOUT_MS}, UPSTREAM_ANSWER_CHECK=${check}`, () => {
    const vars = { UPSTREAM_TIMEOUT_MS: String(FAULT_TIMEOUT_MS), UPSTREAM_ANSWER_CHECK: check };
    const t = useStack({ vars, captureLogs: true });

    for (const row of UPSTREAM_FAULTS) {
      const streamed = row.passed || (check === 'headers' && row.streamed);
      const answer = streamed ? `200, the body ${row.streamed === 'cut' ? 'cut short' : 'as sent'}` : `${row.status} ${row.code}`;
      test(`${row.fault} → ${answer}, then the next request is served`, async (context) => {
        if (row.outageMs) {
          await t.gw.outage(row.outageMs);
          context.after(() => t.gw.waitListening()); // even when an assertion fails
        }
        else await t.gw.fault({ ...row.inject, times: 1 });
        if (streamed) await assertStreamed(t, row);
        else await assertProblemRow(t, row);
        if (row.outageMs) await t.gw.waitListening();
        assert.equal((await t.gw.received()).length, row.outageMs ? 0 : 1, 'forwarded once, never retried');

        const next = await t.gw.call(GET_ALPHA);
        assert.equal(next.status, 200, next.text);
        assert.equal(next.json.id, ALPHA);
      });
    }

    if (check === 'body') {
      test('a gzip bomb is counted as it decodes: the runtime never holds its 512 MiB', async () => {
        // Read whole on the strength of the few hundred KiB it declares, the answer would make
        // workerd hold all it decodes to before the cap could refuse it; counted, the read stops
        // just past the cap. The same refusal of an answer sent without a length comes first:
        // what the path itself costs.
        await t.gw.fault({ bodyBytes: UPSTREAM_ANSWER_MAX_BYTES + 1, times: 1 });
        assertProblem(await t.gw.call(GET_ALPHA), 502, 'upstream_unavailable');
        const before = peakMemoryOfWorkerd();
        await t.gw.fault({ gzipBytes: 512 * 1024 * 1024, times: 1 });
        const p = assertProblem(await t.gw.call(GET_ALPHA), 502, 'upstream_unavailable');
        assert.match(p.detail, new RegExp(`larger than ${UPSTREAM_ANSWER_MAX_BYTES} bytes`));
        const grown = peakMemoryOfWorkerd() - before;
        assert.ok(grown < 64 * 1024 * 1024, `workerd's peak memory grew by ${(grown / 1048576).toFixed(1)} MiB`);
      });
    }

    test('no key appears in any response of this group', () => assertNoSecrets(t.gw.seen));
  });
}

/** A row answered as its problem: status, code, detail, headers, within the timeout, logged. */
async function assertProblemRow(t, row) {
  const started = Date.now();
  const res = await t.gw.call(GET_ALPHA);
  const elapsed = Date.now() - started;
  const p = assertProblem(res, row.status, row.code);
  assert.match(p.detail, row.detail);
  assert.equal(p.upstreamStatus, row.upstreamStatus);
  for (const [name, value] of Object.entries({ 'retry-after': null, ...row.headers })) {
    assert.equal(res.headers.get(name), value, name);
  }
  if (row.headers?.['retry-after']) assert.equal(p.retryAfter, Number(row.headers['retry-after']));
  assert.ok(elapsed < FAULT_TIMEOUT_MS + 1500, `answered after ${elapsed} ms`);
  if (row.slow) assert.ok(elapsed >= FAULT_TIMEOUT_MS - 20, `a timeout after only ${elapsed} ms`);
  const log = await t.stack.logLine(res.headers.get('x-request-id'));
  assert.deepEqual([log.status, log.error, log.upstreamStatus ?? undefined], [row.status, row.code, row.upstreamStatus]);
}

describe(`with UPSTREAM_TIMEOUT_MS=${FAULT_TIMEOUT_MS}`, () => {
  const t = useStack({ vars: { UPSTREAM_TIMEOUT_MS: String(FAULT_TIMEOUT_MS) }, captureLogs: true });

  test('the table covers every fault the simulator injects and every WhatsApp error it knows', () => {
    const injected = new Set(UPSTREAM_FAULTS.flatMap((row) => Object.keys(row.inject ?? {})));
    for (const kind of [...KINDS, 'delayMs']) assert.ok(injected.has(kind), `no row injects ${kind}`);
    const errors = new Set(UPSTREAM_FAULTS.map((row) => row.inject?.whatsappError));
    for (const error of Object.keys(WHATSAPP_ERROR_CODES)) assert.ok(errors.has(error), `no row for ${error}`);
    assert.ok(UPSTREAM_FAULTS.some((row) => row.outageMs), 'a row for a refused connection');
  });

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

describe('with the upstream down', () => {
  const t = useStack(async () => ({ upstreamUrl: `http://127.0.0.1:${await closedPort()}` }), { each: null });

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
