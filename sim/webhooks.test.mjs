// Tests for the simulator's signed group.v2.* webhooks: node --test sim/webhooks.test.mjs
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createHmac } from 'node:crypto';
import { startSimulator } from './waha-sim.mjs';

const KEY = 'sim-upstream-key';
const HMAC_KEY = 'sim-webhook-key-0123456789';
const ALPHA = '120363000000000001@g.us'; // me superadmin
const GAMMA = '120363000000000003@g.us'; // me plain participant

let sim;
let receiver;
/** What the receiver got: {headers, body (text), json}. */
let got = [];
/** Statuses the receiver answers next (then 200). */
let answers = [];

before(async () => {
  receiver = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      got.push({ headers: req.headers, body, json: JSON.parse(body) });
      res.writeHead(answers.shift() ?? 200).end('{}');
    });
  });
  await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${receiver.address().port}/hook`;
  sim = await startSimulator({ webhooks: { url, hmacKey: HMAC_KEY } });
});
after(async () => {
  await sim.close();
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
});
beforeEach(async () => {
  await fetch(`${sim.url}/__sim/reset`, { method: 'POST' });
  await fetch(`${sim.url}/__sim/webhooks`, { method: 'DELETE' });
  got = [];
  answers = [];
});

async function api(method, path, body) {
  const headers = { 'x-api-key': KEY };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${sim.url}/api/default${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  // A string answer is bare text (NestJS); everything else is JSON.
  return { status: res.status, body: res.headers.get('content-type').startsWith('text/html') ? text : JSON.parse(text) };
}

async function flush() {
  await fetch(`${sim.url}/__sim/webhooks/flush`, { method: 'POST' });
}

const g = (id) => `/groups/${encodeURIComponent(id)}`;
const people = (...ids) => ({ participants: ids.map((id) => ({ id })) });
const events = () => got.map((d) => d.json.event);

test('a subject change is one signed group.v2.update in WAHA\'s envelope', async () => {
  assert.equal((await api('PUT', `${g(ALPHA)}/subject`, { subject: 'Renamed' })).status, 200);
  await flush();
  assert.deepEqual(events(), ['group.v2.update']);
  const [{ headers, body, json }] = got;
  assert.equal(headers['x-webhook-hmac'], createHmac('sha512', HMAC_KEY).update(body).digest('hex'));
  assert.equal(headers['x-webhook-hmac-algorithm'], 'sha512');
  assert.match(headers['x-webhook-request-id'], /^req_[0-9A-Z]{26}$/);
  assert.ok(Math.abs(Number(headers['x-webhook-timestamp']) - Date.now()) < 5000);
  assert.match(json.id, /^evt_[0-9A-HJKMNP-TV-Z]{26}$/);
  assert.equal(json.session, 'default');
  assert.equal(json.engine, 'GOWS');
  assert.deepEqual(json.payload.group, { id: ALPHA, subject: 'Renamed' });
  assert.equal(typeof json.payload.timestamp, 'number');
  assert.equal(json.me.id, '15550000000@c.us');
  assert.equal(json.environment.version, '2026.8.2');
});

test('member changes are group.v2.participants of each type, with the role after the change', async () => {
  await api('POST', `${g(ALPHA)}/participants/add`, people('15550000042@c.us'));
  await api('POST', `${g(ALPHA)}/participants/remove`, people('15550000002@c.us'));
  await api('POST', `${g(ALPHA)}/admin/promote`, people('15550000042@c.us'));
  await api('POST', `${g(ALPHA)}/admin/demote`, people('15550000001@c.us'));
  await flush();
  const payloads = got.map((d) => d.json.payload);
  assert.deepEqual(payloads.map((p) => [p.type, p.participants]), [
    ['join', [{ id: '15550000042@c.us', role: 'participant' }]],
    ['leave', [{ id: '15550000002@c.us', role: 'left' }]],
    ['promote', [{ id: '15550000042@c.us', role: 'admin' }]],
    ['demote', [{ id: '15550000001@c.us', role: 'participant' }]],
  ]);
  assert.ok(payloads.every((p) => p.group.id === ALPHA));
});

test('leaving and joining again are group.v2.leave and group.v2.join with the full GroupInfo', async () => {
  const code = (await api('GET', `${g(GAMMA)}/invite-code`)).body;
  await api('POST', `${g(GAMMA)}/leave`);
  await flush();
  await api('POST', '/groups/join', { code });
  await flush();
  assert.deepEqual(events(), ['group.v2.leave', 'group.v2.join']);
  assert.deepEqual(got[0].json.payload.group, { id: GAMMA });
  const info = got[1].json.payload.group;
  assert.equal(info.id, GAMMA);
  assert.equal(info.subject, 'Gamma Friends');
  assert.ok(info.participants.some((p) => p.id === '15550000000@c.us'));
});

test('reads and refused writes send nothing', async () => {
  await api('GET', g(ALPHA));
  await api('GET', `${g(ALPHA)}/participants/v2`);
  assert.equal((await api('PUT', `${g(GAMMA)}/settings/security/member-add-mode`, { membersCanAddNewMember: true })).status, 500);
  await flush();
  assert.deepEqual(got, []);
});

test('a failed delivery is retried with the same request id', async () => {
  answers = [500];
  await api('PUT', `${g(ALPHA)}/description`, { description: 'retry me' });
  await flush();
  assert.equal(got.length, 2);
  assert.equal(got[0].headers['x-webhook-request-id'], got[1].headers['x-webhook-request-id']);
  assert.equal(got[0].body, got[1].body);
  const log = await (await fetch(`${sim.url}/__sim/webhooks`)).json();
  assert.deepEqual(log.map((d) => [d.attempt, d.status]), [[1, 500], [2, 200]]);
});

test('an outside edit is delivered before the control call answers', async () => {
  const res = await fetch(`${sim.url}/__sim/edit`, {
    method: 'POST',
    body: JSON.stringify({ group: ALPHA, set: { subject: 'From a phone' }, add: ['15550000043@c.us'] }),
  });
  assert.deepEqual(await res.json(), { ok: true, deliveries: [200, 200] });
  assert.deepEqual(events(), ['group.v2.update', 'group.v2.participants']);
  assert.equal((await api('GET', g(ALPHA))).body.subject, 'From a phone');
  const bad = await fetch(`${sim.url}/__sim/edit`, { method: 'POST', body: JSON.stringify({ group: ALPHA, set: { owner: 'x' } }) });
  assert.equal(bad.status, 400);
});

test('with no webhook URL nothing is sent', async () => {
  await fetch(`${sim.url}/__sim/webhooks`, { method: 'POST', body: JSON.stringify({ url: '' }) });
  try {
    await api('PUT', `${g(ALPHA)}/subject`, { subject: 'Quiet' });
    await flush();
    assert.deepEqual(got, []);
  } finally {
    const url = `http://127.0.0.1:${receiver.address().port}/hook`;
    await fetch(`${sim.url}/__sim/webhooks`, { method: 'POST', body: JSON.stringify({ url, hmacKey: HMAC_KEY }) });
  }
});
