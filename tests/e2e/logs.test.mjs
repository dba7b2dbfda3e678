// The edge proxy: one structured JSON log line per request (request id, dialect, operation, its scope,
// session, status, upstream status, latency, rate-limit decision), never a key or a body.
import { test } from 'node:test';
import net from 'node:net';
import assert from 'node:assert/strict';
import { CLIENT_KEY, SALES_KEY, UPSTREAM_KEY } from './stack.mjs';
import { assertNoSecrets, ALPHA, BETA, useStack } from './proxy-helpers.mjs';

const t = useStack({ captureLogs: true });

const FIELDS = ['requestId', 'method', 'dialect', 'operation', 'scope', 'session', 'status', 'upstreamStatus', 'latencyMs', 'rateLimit', 'kvOps', 'doCalls', 'error'];
/** Values sent in bodies, queries and paths below that must not reach the log. */
const PRIVATE = ['Secret plans', '15557654321', 'AlphaInviteCode0000001', 'https://10.0.0.9/private.jpg', 'Top secret description'];

/** The single log line of a response, checked for shape. */
async function lineOf(res) {
  const id = res.headers.get('x-request-id');
  const line = await t.stack.logLine(id);
  const all = t.stack.logs.filter((l) => l.json?.requestId === id);
  assert.equal(all.length, 1, `exactly one line for ${id}: ${all.map((l) => l.message).join('\n')}`);
  assert.deepEqual(Object.keys(line).sort(), [...FIELDS].sort(), 'the documented fields, nothing else');
  assert.equal(typeof line.latencyMs, 'number');
  assert.ok(line.latencyMs >= 0);
  assert.equal(line.status, res.status);
  return line;
}

test('a forwarded read: operation, session, status and upstream status', async () => {
  const res = await t.gw.call(`/api/default/groups/${ALPHA}`);
  assert.equal(res.status, 200);
  const line = await lineOf(res);
  assert.equal(line.method, 'GET');
  assert.equal(line.operation, 'getGroup');
  assert.equal(line.scope, 'read');
  assert.equal(line.session, 'default');
  assert.equal(line.upstreamStatus, 200);
  assert.equal(line.rateLimit, null, 'reads are not limited');
  assert.equal(line.error, null);
});

test('a limited call logs its rate-limit decision and KV use', async () => {
  const res = await t.gw.call(`/api/default/groups/${ALPHA}/participants/add`, {
    method: 'POST', body: { participants: [{ id: '15557654321@c.us' }] },
  });
  assert.equal(res.status, 201);
  const line = await lineOf(res);
  assert.equal(line.operation, 'addParticipants');
  assert.equal(line.rateLimit, 'allowed');
  assert.ok(line.kvOps > 0, 'the limiter used KV');
  assert.equal(line.doCalls, 0, 'and no Durable Object (RATE_LIMIT_BACKEND=kv)');
  assert.equal(line.upstreamStatus, 201);
});

test('a rejected request: its error code, no upstream status', async () => {
  const res = await t.gw.call(`/api/default/groups/${ALPHA}/subject`, { method: 'PUT', body: { subject: 'x'.repeat(101) } });
  assert.equal(res.status, 422);
  const line = await lineOf(res);
  assert.equal(line.error, 'validation_failed');
  assert.equal(line.upstreamStatus, null);
  assert.equal(line.session, 'default');
  assert.equal(line.operation, 'setSubject', 'the operation is named even when its input is refused');
});

test('an upstream failure: status 502, upstream status 503', async () => {
  await t.gw.fault({ status: 503 });
  const res = await t.gw.call(`/api/default/groups/${BETA}/picture?refresh=true`);
  const line = await lineOf(res);
  assert.equal(line.status, 502);
  assert.equal(line.upstreamStatus, 503);
  assert.equal(line.error, 'upstream_error');
  assert.equal(line.operation, 'getPicture');
});

test('an unauthenticated request: 401, no session', async () => {
  const res = await t.gw.fetch('/api/default/groups/count', { headers: { 'x-api-key': `${CLIENT_KEY}-nope` } });
  const line = await lineOf(res);
  assert.equal(line.error, 'unauthorized');
  assert.equal(line.session, null);
});

test("an upload that breaks off is the client's failure (400 body_incomplete), never the gateway's 500", async () => {
  const { port } = new URL(t.stack.url);
  const requestId = 'trace-logs-broken-upload';
  // A create declaring 200 bytes; the connection closes after 15 of them.
  await new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => {
      socket.write(`POST /api/default/groups HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Api-Key: ${CLIENT_KEY}\r\n`
        + `X-Request-Id: ${requestId}\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{"name":"Half",`);
      setTimeout(() => { socket.destroy(); resolve(); }, 300);
    });
    socket.on('error', reject);
  });
  const line = await t.stack.logLine(requestId);
  assert.equal(line.status, 400, JSON.stringify(line));
  assert.equal(line.error, 'body_incomplete');
  assert.equal(line.operation, 'createGroup');
  assert.ok(!t.stack.logs.some((l) => l.json && 'runtimeError' in l.json), 'no runtime error logged');
  assert.deepEqual(await t.gw.received(), [], 'nothing forwarded');
});

test('a client request id is the log line\'s id', async () => {
  const res = await t.gw.call('/api/default/groups/count', { headers: { 'x-request-id': 'trace-logs-0001' } });
  assert.equal(res.headers.get('x-request-id'), 'trace-logs-0001');
  const line = await lineOf(res);
  assert.equal(line.requestId, 'trace-logs-0001');
});

test('bodies, queries, ids and keys never reach the log', async () => {
  const calls = [
    t.gw.call('/api/default/groups', { method: 'POST', body: { name: 'Secret plans', participants: [{ id: '15557654321@c.us' }] } }),
    t.gw.call(`/api/default/groups/${ALPHA}/description`, { method: 'PUT', body: { description: 'Top secret description' } }),
    t.gw.call(`/api/default/groups/join-info?code=AlphaInviteCode0000001`),
    t.gw.call(`/api/default/groups/${ALPHA}/picture`, { method: 'PUT', body: { file: { mimetype: 'image/jpeg', url: 'https://10.0.0.9/private.jpg' } } }),
    t.gw.call('/api/sales/groups/count', { headers: { 'x-api-key': undefined, authorization: `Bearer ${SALES_KEY}` } }),
  ];
  const answers = await Promise.all(calls);
  for (const res of answers) await lineOf(res);
  for (const entry of t.stack.logs) {
    for (const secret of [CLIENT_KEY, SALES_KEY, UPSTREAM_KEY, ...PRIVATE]) {
      assert.ok(!entry.message.includes(secret), `${secret} in the log: ${entry.message}`);
    }
  }
});

test('every request of this file has exactly one line', async () => {
  for (const res of t.gw.seen) {
    const id = res.headers.get('x-request-id');
    assert.equal(t.stack.logs.filter((l) => l.json?.requestId === id).length, 1, id);
  }
});

test('no key appears in any response of this file', () => assertNoSecrets(t.gw.seen));
