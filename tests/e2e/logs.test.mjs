// Issue 4, the edge proxy: one structured JSON log line per request (request id, operation,
// session, status, upstream status, latency, rate-limit decision), never a key or a body.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, CLIENT_KEY, SALES_KEY, UPSTREAM_KEY } from './stack.mjs';
import { client, assertNoSecrets, ALPHA, BETA } from './proxy-helpers.mjs';

let stack;
let gw;

before(async () => {
  stack = await startStack({ captureLogs: true });
  gw = client(stack);
});
after(() => stack?.close());
beforeEach(() => gw.reset());

const FIELDS = ['requestId', 'method', 'operation', 'session', 'status', 'upstreamStatus', 'latencyMs', 'rateLimit', 'kvOps', 'error'];
/** Values sent in bodies, queries and paths below that must not reach the log. */
const PRIVATE = ['Secret plans', '15557654321', 'AlphaInviteCode0000001', 'https://example.com/private.jpg', 'Top secret description'];

/** The single log line of a response, checked for shape. */
async function lineOf(res) {
  const id = res.headers.get('x-request-id');
  const line = await stack.logLine(id);
  const all = stack.logs.filter((l) => l.json?.requestId === id);
  assert.equal(all.length, 1, `exactly one line for ${id}: ${all.map((l) => l.message).join('\n')}`);
  assert.deepEqual(Object.keys(line).sort(), [...FIELDS].sort(), 'the documented fields, nothing else');
  assert.equal(typeof line.latencyMs, 'number');
  assert.ok(line.latencyMs >= 0);
  assert.equal(line.status, res.status);
  return line;
}

test('a forwarded read: operation, session, status and upstream status', async () => {
  const res = await gw.call(`/api/default/groups/${ALPHA}`);
  assert.equal(res.status, 200);
  const line = await lineOf(res);
  assert.equal(line.method, 'GET');
  assert.equal(line.operation, 'getGroup');
  assert.equal(line.session, 'default');
  assert.equal(line.upstreamStatus, 200);
  assert.equal(line.rateLimit, null, 'reads are not limited');
  assert.equal(line.error, null);
});

test('a limited call logs its rate-limit decision and KV use', async () => {
  const res = await gw.call(`/api/default/groups/${ALPHA}/participants/add`, {
    method: 'POST', body: { participants: [{ id: '15557654321@c.us' }] },
  });
  assert.equal(res.status, 201);
  const line = await lineOf(res);
  assert.equal(line.operation, 'addParticipants');
  assert.equal(line.rateLimit, 'allowed');
  assert.ok(line.kvOps > 0, 'the limiter used KV');
  assert.equal(line.upstreamStatus, 201);
});

test('a rejected request: its error code, no upstream status', async () => {
  const res = await gw.call(`/api/default/groups/${ALPHA}/subject`, { method: 'PUT', body: { subject: 'x'.repeat(101) } });
  assert.equal(res.status, 422);
  const line = await lineOf(res);
  assert.equal(line.error, 'validation_failed');
  assert.equal(line.upstreamStatus, null);
  assert.equal(line.session, 'default');
});

test('an upstream failure: status 502, upstream status 503', async () => {
  await gw.fault({ status: 503 });
  const res = await gw.call(`/api/default/groups/${BETA}/picture?refresh=true`);
  const line = await lineOf(res);
  assert.equal(line.status, 502);
  assert.equal(line.upstreamStatus, 503);
  assert.equal(line.error, 'upstream_error');
  assert.equal(line.operation, 'getPicture');
});

test('an unauthenticated request: 401, no session', async () => {
  const res = await gw.fetch('/api/default/groups/count', { headers: { 'x-api-key': `${CLIENT_KEY}-nope` } });
  const line = await lineOf(res);
  assert.equal(line.error, 'unauthorized');
  assert.equal(line.session, null);
});

test('a client request id is the log line\'s id', async () => {
  const res = await gw.call('/api/default/groups/count', { headers: { 'x-request-id': 'trace-logs-0001' } });
  assert.equal(res.headers.get('x-request-id'), 'trace-logs-0001');
  const line = await lineOf(res);
  assert.equal(line.requestId, 'trace-logs-0001');
});

test('bodies, queries, ids and keys never reach the log', async () => {
  const calls = [
    gw.call('/api/default/groups', { method: 'POST', body: { name: 'Secret plans', participants: [{ id: '15557654321@c.us' }] } }),
    gw.call(`/api/default/groups/${ALPHA}/description`, { method: 'PUT', body: { description: 'Top secret description' } }),
    gw.call(`/api/default/groups/join-info?code=AlphaInviteCode0000001`),
    gw.call(`/api/default/groups/${ALPHA}/picture`, { method: 'PUT', body: { file: { mimetype: 'image/jpeg', url: 'https://example.com/private.jpg' } } }),
    gw.call('/api/sales/groups/count', { headers: { 'x-api-key': undefined, authorization: `Bearer ${SALES_KEY}` } }),
  ];
  const answers = await Promise.all(calls);
  for (const res of answers) await lineOf(res);
  for (const entry of stack.logs) {
    for (const secret of [CLIENT_KEY, SALES_KEY, UPSTREAM_KEY, ...PRIVATE]) {
      assert.ok(!entry.message.includes(secret), `${secret} in the log: ${entry.message}`);
    }
  }
});

test('every request of this file has exactly one line', async () => {
  for (const res of gw.seen) {
    const id = res.headers.get('x-request-id');
    assert.equal(stack.logs.filter((l) => l.json?.requestId === id).length, 1, id);
  }
});

test('no key appears in any response of this file', () => assertNoSecrets(gw.seen));
