// The edge proxy: `Idempotency-Key` on group creation — a replayed create answers the
// first response instead of making a second group, even when the replays run concurrently.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertProblem, assertNoSecrets, useStack } from './proxy-helpers.mjs';

// Creates are rate limited (LIMIT_CREATE); these tests create many groups, so that quota is off here.
const t = useStack({ captureLogs: true, vars: { LIMIT_CREATE: 'off' } });
let n = 0;

const CREATE = '/api/default/groups';
const SEEDED = 3; // groups the simulator starts with

/** A fresh key per test (KV outlives the simulator's reset). */
const freshKey = () => `create-${process.pid}-${++n}`;
const body = (name = 'Launch crew') => ({ name, participants: [{ id: '15551234567@c.us' }, { id: '4915112345678@c.us' }] });
const create = (key, b = body(), extra = {}) => t.gw.call(CREATE, {
  method: 'POST', body: b, headers: key === undefined ? extra : { 'idempotency-key': key, ...extra },
});

async function creates() {
  return (await t.gw.received()).filter((r) => r.method === 'POST' && r.path === CREATE);
}

async function groupCount() {
  return (await t.gw.state()).groups.length;
}

test('without a key, two identical creates make two groups (the duplicate the key prevents)', async () => {
  assert.equal((await create(undefined)).status, 201);
  assert.equal((await create(undefined)).status, 201);
  assert.equal((await creates()).length, 2);
  assert.equal(await groupCount(), SEEDED + 2);
});

test('a retry with the same key and body replays the first answer', async () => {
  const key = freshKey();
  const first = await create(key);
  assert.equal(first.status, 201, first.text);
  assert.equal(first.headers.get('idempotency-replayed'), null);
  const second = await create(key);
  assert.equal(second.status, 201);
  assert.equal(second.headers.get('idempotency-replayed'), 'true');
  assert.equal(second.text, first.text, 'the same body, byte for byte');
  assert.equal(second.headers.get('content-type'), first.headers.get('content-type'));
  assert.notEqual(second.headers.get('x-request-id'), first.headers.get('x-request-id'), 'each exchange has its own id');
  assert.equal((await creates()).length, 1, 'the upstream saw one create');
  assert.equal(await groupCount(), SEEDED + 1);
});

test('the body is compared in canonical form: another spelling of the same request replays', async () => {
  const key = freshKey();
  const first = await create(key);
  const respelled = await create(key, {
    participants: [{ id: '15551234567@s.whatsapp.net' }, { id: '4915112345678@s.whatsapp.net' }],
    name: 'Launch crew',
  });
  assert.equal(respelled.status, 201);
  assert.equal(respelled.headers.get('idempotency-replayed'), 'true');
  assert.equal(respelled.text, first.text);
  assert.equal((await creates()).length, 1);
});

test('the same key with another body → 422 idempotency_key_reused, not forwarded', async () => {
  const key = freshKey();
  assert.equal((await create(key)).status, 201);
  const other = await create(key, body('Another crew'));
  assertProblem(other, 422, 'idempotency_key_reused');
  assert.equal((await creates()).length, 1);
  assert.equal(await groupCount(), SEEDED + 1);
});

test('keys are per session: the same key on another session creates there', async () => {
  const key = freshKey();
  assert.equal((await create(key)).status, 201);
  const sales = await t.gw.call('/api/sales/groups', { method: 'POST', body: body(), headers: { 'idempotency-key': key } });
  assert.equal(sales.status, 201);
  assert.equal(sales.headers.get('idempotency-replayed'), null);
  assert.equal((await t.gw.state('sales')).groups.length, SEEDED + 1);
});

test('a failed create frees the key: the retry creates (it does not replay the error)', async () => {
  const key = freshKey();
  await t.gw.fault({ status: 503, method: 'POST', match: '/groups', times: 1 });
  assertProblem(await create(key), 502, 'upstream_error');
  const retry = await create(key);
  assert.equal(retry.status, 201, retry.text);
  assert.equal(retry.headers.get('idempotency-replayed'), null);
  assert.equal(await groupCount(), SEEDED + 1);
});

describe('with a create slower than UPSTREAM_TIMEOUT_MS', () => {
  const slow = useStack({ vars: { LIMIT_CREATE: 'off', UPSTREAM_TIMEOUT_MS: '1000' } });

  test('a timed-out create keeps its key: the retry waits (409) rather than create a second group', async () => {
    const key = freshKey();
    await slow.gw.fault({ delayMs: 2500, method: 'POST', match: '/groups', times: 1 });
    const attempt = () => slow.gw.call(CREATE, { method: 'POST', body: body(), headers: { 'idempotency-key': key } });
    assertProblem(await attempt(), 504, 'upstream_timeout');
    assertProblem(await attempt(), 409, 'idempotency_in_progress');
    // The slow create did happen, once.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    assert.equal((await slow.gw.state()).groups.length, SEEDED + 1);
    assertProblem(await attempt(), 409, 'idempotency_in_progress');
  });
});

test('a bad Idempotency-Key → 422 on the parameter, not forwarded', async () => {
  for (const key of ['has spaces', 'k'.repeat(256)]) {
    const res = await create(key);
    assertProblem(res, 422, 'validation_failed', [{ parameter: 'Idempotency-Key', code: 'invalid_parameter' }]);
  }
  assert.equal((await creates()).length, 0);
});

/** Fires 10 identical creates at once and checks that exactly one group came of them. */
async function concurrentRound() {
  await t.gw.reset();
  const key = freshKey();
  const answers = await Promise.all(Array.from({ length: 10 }, () => create(key)));
  for (const res of answers) assert.ok(res.status >= 200 && res.status < 300, `${res.status} ${res.text}`);
  const ids = new Set(answers.map((res) => res.json.id));
  assert.equal(ids.size, 1, `one group id for all: ${[...ids]}`);
  assert.equal(answers.filter((res) => res.headers.get('idempotency-replayed') === 'true').length, 9);
  assert.equal((await creates()).length, 1, 'exactly one create reached the upstream');
  const groups = (await t.gw.state()).groups;
  assert.equal(groups.length, SEEDED + 1, 'exactly one group was created');
  assert.ok(groups.some((g) => g.id === [...ids][0]));
}

test('10 concurrent identical creates → one group, ten equal answers (8 rounds)', async () => {
  // The race is between twins arriving while the first one reads the store: repeat to catch it.
  for (let round = 0; round < 8; round++) await concurrentRound();
});

test('10 concurrent identical creates while the upstream takes 300 ms → the twins wait, one group', async () => {
  await t.gw.fault({ delayMs: 300, method: 'POST', match: '/groups' });
  const started = Date.now();
  const key = freshKey();
  const answers = await Promise.all(Array.from({ length: 10 }, () => create(key)));
  assert.ok(Date.now() - started >= 290);
  assert.deepEqual(answers.map((r) => r.status), Array(10).fill(201));
  assert.equal(new Set(answers.map((r) => r.text)).size, 1, 'every answer is the first one');
  assert.equal((await creates()).length, 1);
  assert.equal(await groupCount(), SEEDED + 1);
});

test('concurrent creates with different keys are independent', async () => {
  const answers = await Promise.all(Array.from({ length: 5 }, () => create(freshKey())));
  assert.deepEqual(answers.map((r) => r.status), [201, 201, 201, 201, 201]);
  assert.equal(new Set(answers.map((r) => r.json.id)).size, 5);
  assert.equal(await groupCount(), SEEDED + 5);
});

test('Idempotency-Key is ignored on routes other than create', async () => {
  const key = freshKey();
  const path = '/api/default/groups/120363000000000001@g.us/subject';
  for (const subject of ['One', 'One']) {
    const res = await t.gw.call(path, { method: 'PUT', body: { subject }, headers: { 'idempotency-key': key } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('idempotency-replayed'), null);
  }
  assert.equal((await t.gw.received()).length, 2);
});

test('no key appears in any response of this file', () => assertNoSecrets(t.gw.seen));
