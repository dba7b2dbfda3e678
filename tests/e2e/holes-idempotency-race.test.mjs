// A create slower than a minute (UPSTREAM_TIMEOUT_MS allows two) raced by its retry in another
// isolate: the retry must see the first one in progress and, once it is done, replay its answer,
// so exactly one group is created. Two copies of the worker, each its own isolate, share one KV
// namespace, as isolates of one location do. Takes a little over a minute: the pending marker of
// old lived exactly 60 s, and the race is only lost after that.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertProblem, useStack } from './proxy-helpers.mjs';

const SEEDED = 3; // groups the simulator starts with
const CREATE = '/api/default/groups';
const SLOW_MS = 62_000; // longer than KV's shortest TTL (60 s), shorter than the timeout
const t = useStack({ instances: 2, vars: { UPSTREAM_TIMEOUT_MS: '120000' } });

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

test('a long create and its retry in another isolate → one group, the retry waits and replays', async () => {
  const key = `slow-create-${process.pid}`;
  const init = { method: 'POST', body: { name: 'Slow crew', participants: [{ id: '15551234567@c.us' }] }, headers: { 'idempotency-key': key } };
  await t.gw.fault({ delayMs: SLOW_MS, method: 'POST', match: '/groups', times: 1 });
  const started = Date.now();
  const first = t.stack.instances[0].call(CREATE, init);
  first.catch(() => {}); // awaited below; a failed assertion in between must not leave it unhandled
  while ((await t.gw.received()).length === 0) await sleep(20);

  // The marker of the running create outlives the upstream timeout, not just a minute.
  const kv = await t.stack.mf.getKVNamespace('GROUPGATE_KV', 'groupgate-0');
  const [marker] = (await kv.list({ prefix: 'idem/default/' })).keys;
  assert.ok(marker, 'a pending marker is kept');
  assert.ok(marker.expiration >= started / 1000 + 120, `marker expires in ${marker.expiration - started / 1000} s`);

  await sleep(Math.max(0, started + 61_000 - Date.now()));
  const retry = await t.stack.instances[1].call(CREATE, init);
  const text = await retry.text();
  assert.equal(retry.status, 409, `the retry after 61 s: ${text}`);
  assertProblem({ status: retry.status, headers: retry.headers, text, json: JSON.parse(text) }, 409, 'idempotency_in_progress');

  const answer = await first;
  const created = await answer.json();
  assert.equal(answer.status, 201);
  assert.ok(Date.now() - started >= SLOW_MS);
  const replay = await t.stack.instances[1].call(CREATE, init);
  assert.equal(replay.status, 201);
  assert.equal(replay.headers.get('idempotency-replayed'), 'true');
  assert.equal((await replay.json()).id, created.id);

  const creates = (await t.gw.received()).filter((r) => r.method === 'POST' && r.path === CREATE);
  assert.equal(creates.length, 1, 'the upstream saw one create');
  assert.equal((await t.gw.state()).groups.length, SEEDED + 1, 'exactly one group');
});
