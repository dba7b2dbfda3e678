// A read the Worker's module forwards itself (src/worker/read_ahead.rs) is one exchange whichever
// way its answer goes: streamed through, or taken up by the pipeline (an error, an answer that is
// not streamed, a fetch that failed). The upstream, the client and the log line see one request
// id, the upstream is asked once, and the log's latency counts from the request's arrival, the
// wait for the upstream included. A read sent again with the same head is sent and answered by the
// module from what it remembered of the first (no call into wasm when the answer's head is the
// same): each such read is still its own exchange, and what the decision depended on (the key,
// the origin, the client's request id, the answer's head) still decides it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertProblem, ALPHA, UUID, useStack } from './proxy-helpers.mjs';
import { SALES_KEY, TEST_ORIGIN } from './stack.mjs';

const t = useStack({ captureLogs: true, vars: { UPSTREAM_TIMEOUT_MS: '1000' } });

const GET_ALPHA = `/api/default/groups/${ALPHA}`;
/** How long the upstream waits before each answer below: the least latency the log may show. */
const DELAY_MS = 300;

/** The exchange of one `GET_ALPHA` with `headers`: the answer, what the upstream received, the log line. */
async function exchange(headers = {}) {
  const res = await t.gw.call(GET_ALPHA, { headers });
  const id = res.headers.get('x-request-id');
  const line = await t.stack.logLine(id);
  return { res, id, received: await t.gw.received(), line };
}

/** One request id, one upstream request, and a latency that includes the upstream's wait. */
function assertOneExchange({ id, received, line }, status) {
  assert.equal(received.length, 1, 'the upstream was asked once');
  assert.equal(received[0].headers['x-request-id'], id, 'the upstream saw the answer\'s request id');
  assert.equal(line.requestId, id);
  assert.equal(line.status, status);
  assert.ok(line.latencyMs >= DELAY_MS - 5, `latency ${line.latencyMs} ms, the upstream waited ${DELAY_MS} ms`);
}

describe('a read forwarded by the module', () => {
  test('streamed through: one request id, the upstream asked once', async () => {
    await t.gw.fault({ delayMs: DELAY_MS, times: 1 });
    const seen = await exchange();
    assert.equal(seen.res.status, 200, seen.res.text);
    assert.equal(seen.res.json.id, ALPHA);
    assertOneExchange(seen, 200);
    assert.equal(seen.line.upstreamStatus, 200);
  });

  test('an error answer, taken up by the pipeline: the same exchange, answered as a problem', async () => {
    await t.gw.fault({ delayMs: DELAY_MS, whatsappError: 'item-not-found', times: 1 });
    const seen = await exchange();
    assert.equal(seen.res.status, 404, seen.res.text);
    assert.equal(seen.res.json.code, 'whatsapp_not_found');
    assert.equal(seen.res.json.requestId, seen.id, 'the problem names the exchange\'s id');
    assertOneExchange(seen, 404);
    assert.equal(seen.line.error, 'whatsapp_not_found');
  });

  test('no answer within UPSTREAM_TIMEOUT_MS: a 504 of the same exchange, its latency the timeout', async () => {
    await t.gw.fault({ delayMs: 5000, times: 1 });
    const seen = await exchange();
    assert.equal(seen.res.status, 504, seen.res.text);
    assertOneExchange(seen, 504);
    assert.ok(seen.line.latencyMs >= 1000 - 5, `latency ${seen.line.latencyMs} ms`);
  });

  test('a client\'s request id is the exchange\'s, on either way', async () => {
    await t.gw.fault({ delayMs: DELAY_MS, times: 1 });
    const streamed = await exchange({ 'x-request-id': 'trace-read-0001' });
    assert.equal(streamed.id, 'trace-read-0001');
    assertOneExchange(streamed, 200);
    await t.gw.clearReceived();
    await t.gw.fault({ delayMs: DELAY_MS, status: 500, times: 1 });
    const failed = await exchange({ 'x-request-id': 'trace-read-0002' });
    assert.equal(failed.id, 'trace-read-0002');
    assertOneExchange(failed, failed.res.status);
    assert.equal(failed.res.status, 502, failed.res.text);
  });
});

describe('a read sent again, its decision remembered', () => {
  test('each its own exchange: its own request id, seen by the upstream and the log, and its own latency', async () => {
    const seen = [];
    for (let i = 0; i < 3; i++) {
      await t.gw.clearReceived();
      await t.gw.fault({ delayMs: DELAY_MS, times: 1 });
      seen.push(await exchange());
    }
    for (const one of seen) {
      assert.equal(one.res.status, 200, one.res.text);
      assert.equal(one.res.json.id, ALPHA);
      assert.match(one.id, UUID);
      assertOneExchange(one, 200);
      assert.equal(one.line.operation, 'getGroup');
    }
    assert.equal(new Set(seen.map((one) => one.id)).size, 3, 'three request ids');
  });

  test('another key, origin or request id of the client\'s is decided for itself', async () => {
    await exchange();
    assertProblem(await t.gw.call(GET_ALPHA, { headers: { 'x-api-key': 'no-such-key-0123456789' } }), 401, 'unauthorized');
    assertProblem(await t.gw.call(GET_ALPHA, { headers: { 'x-api-key': SALES_KEY } }), 403, 'forbidden');
    for (let i = 0; i < 2; i++) {
      const allowed = await t.gw.call(GET_ALPHA, { headers: { origin: TEST_ORIGIN } });
      assert.equal(allowed.headers.get('access-control-allow-origin'), TEST_ORIGIN);
      const foreign = await t.gw.call(GET_ALPHA, { headers: { origin: 'http://127.0.0.1:9' } });
      assert.equal(foreign.status, 200, foreign.text);
      assert.equal(foreign.headers.get('access-control-allow-origin'), null);
      const traced = await t.gw.call(GET_ALPHA, { headers: { 'x-request-id': `trace-again-${i}` } });
      assert.equal(traced.headers.get('x-request-id'), `trace-again-${i}`);
    }
  });

  test('an answer with another head is decided afresh, as the same exchange', async () => {
    await exchange();
    const renamed = await t.gw.call(`${GET_ALPHA}/subject`, { method: 'PUT', body: { subject: 'A longer name than before' } });
    assert.equal(renamed.status, 200, renamed.text);
    for (let i = 0; i < 2; i++) {
      await t.gw.clearReceived();
      await t.gw.fault({ delayMs: DELAY_MS, times: 1 });
      const seen = await exchange();
      assert.equal(seen.res.status, 200, seen.res.text);
      assert.equal(seen.res.json.subject, 'A longer name than before');
      assertOneExchange(seen, 200);
    }
  });
});
