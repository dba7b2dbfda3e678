// RATE_LIMIT_BACKEND="durable-object" end to end: the built worker in workerd, its quotas decided
// by the worker's own Durable Object class (SQLite storage) in front of the WAHA simulator. The
// same edges as the KV mode (fields, Retry-After, refunds, per-group quotas, store failures) with
// `doCalls` instead of `kvOps` in the log line.
//
//   source scripts/env.sh && node --test --test-concurrency=1 tests/e2e/ratelimit-durable-object.test.mjs
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startStack } from './stack.mjs';
import {
  add, assertRateLimited, createGroup, forwarded, items, people, read, refresh, remove, spendTheRest, untilForwarded, user,
} from './ratelimit-helpers.mjs';
import { describeStoreFailure } from './ratelimit-store-failure.mjs';

const BACKEND = { RATE_LIMIT_BACKEND: 'durable-object' };
const policy = { units: 10, window: 600 };

/** The `r=` of each item of an answer's RateLimit field, e.g. `{add: 9, 'add-group': 2}`. */
const left = (r) => Object.fromEntries(Object.entries(items(r.headers.get('ratelimit'))).map(([name, { r: n }]) => [name, n]));

/** The log line's rate-limit fields of an answer. */
async function spent(stack, r) {
  const line = await stack.logLine(r.requestId);
  return { rateLimit: line.rateLimit, doCalls: line.doCalls, kvOps: line.kvOps };
}

describe('durable-object mode: session quotas', () => {
  let stack;
  before(async () => {
    stack = await startStack({ vars: { ...BACKEND, LIMIT_ADD: '10/600', LIMIT_REFRESH: '2/600' }, captureLogs: true });
  });
  after(() => stack?.close());

  test('admits up to the quota with the same fields as the KV mode, then refuses, then refuses from memory', async () => {
    const id = await createGroup(stack, 'seq');
    const first = await read(await add(stack, 'seq', id, people(0, 4)));
    assert.equal(first.status, 201, JSON.stringify(first.body));
    assert.equal(first.headers.get('ratelimit-policy'), '"add";q=10;w=600');
    assert.equal(first.headers.get('ratelimit'), '"add";r=6;t=600');
    assert.deepEqual(await spent(stack, first), { rateLimit: 'allowed', doCalls: 1, kvOps: 0 });
    const rest = await read(await add(stack, 'seq', id, people(4, 6)));
    assert.equal(rest.headers.get('ratelimit'), '"add";r=0;t=600');
    const over = await read(await add(stack, 'seq', id, [{ id: user(20) }]));
    const { r, retryAfter } = assertRateLimited(over, 'add', policy);
    assert.equal(r, 0);
    assert.ok(retryAfter >= 595, `Retry-After ${retryAfter}: the units come back when the first add leaves`);
    assert.deepEqual(await spent(stack, over), { rateLimit: 'refused', doCalls: 1, kvOps: 0 });
    const again = await read(await add(stack, 'seq', id, [{ id: user(21) }]));
    assertRateLimited(again, 'add', policy);
    assert.deepEqual(await spent(stack, again), { rateLimit: 'blocked', doCalls: 0, kvOps: 0 });
    assert.equal((await forwarded(stack, 'seq', '/participants/add')).length, 2);
  });

  test('each session has its own object; refresh is its own quota', async () => {
    const id = await createGroup(stack, 'other');
    const r = await read(await add(stack, 'other', id, [{ id: user(1) }]));
    assert.equal(r.headers.get('ratelimit'), '"add";r=9;t=600');
    assert.deepEqual([(await read(await refresh(stack, 'other'))).status, (await read(await refresh(stack, 'other'))).status], [201, 201]);
    assertRateLimited(await read(await refresh(stack, 'other')), 'refresh', { units: 2, window: 600 });
  });

  test('a cost beyond the whole quota is 422 with no object call', async () => {
    const id = await createGroup(stack, 'big');
    const r = await read(await add(stack, 'big', id, people(0, 11)));
    assert.equal(r.status, 422);
    assert.equal(r.body.code, 'cost_exceeds_quota');
    assert.deepEqual(await spent(stack, r), { rateLimit: 'cost_exceeds_quota', doCalls: 0, kvOps: 0 });
  });

  test('refund: an add whose upstream connection dropped gives its units back', async () => {
    const id = await createGroup(stack, 'refund');
    await stack.fault({ drop: true, times: 1, match: '/api/refund/' });
    const dropped = await read(await add(stack, 'refund', id, [{ id: user(1) }]));
    assert.equal(dropped.status, 502, JSON.stringify(dropped.body));
    assert.deepEqual(await spent(stack, dropped), { rateLimit: 'refunded', doCalls: 2, kvOps: 0 });
    const full = await read(await add(stack, 'refund', id, people(0, 10)));
    assert.equal(full.status, 201, JSON.stringify(full.body));
    assert.equal(full.headers.get('ratelimit'), '"add";r=0;t=600');
  });

  test('no refund when the request reached WhatsApp (rate-overlimit)', async () => {
    const id = await createGroup(stack, 'keep');
    await stack.fault({ whatsappError: 'rate-overlimit', times: 1, match: '/api/keep/' });
    const throttled = await read(await add(stack, 'keep', id, [{ id: user(1) }]));
    assert.equal(throttled.body.code, 'whatsapp_rate_limited');
    assert.deepEqual(await spent(stack, throttled), { rateLimit: 'allowed', doCalls: 1, kvOps: 0 });
    assert.equal(refusedLeft(await read(await add(stack, 'keep', id, people(0, 10)))), 9, 'the throttled add kept its unit');
  });

  test('a refund also lifts the in-memory block it caused', async () => {
    const id = await createGroup(stack, 'lift');
    await stack.fault({ delayMs: 300, drop: true, times: 1, match: '/api/lift/' });
    const pending = add(stack, 'lift', id, people(0, 10)).then(read);
    await untilForwarded(stack, 'lift', '/participants/add', 1);
    assertRateLimited(await read(await add(stack, 'lift', id, [{ id: user(20) }])), 'add', policy);
    assert.equal((await pending).status, 502);
    const after = await read(await add(stack, 'lift', id, [{ id: user(20) }]));
    assert.equal(after.status, 201, `the units came back: ${JSON.stringify(after.body)}`);
    assert.equal(after.headers.get('ratelimit'), '"add";r=9;t=600');
  });
});

/** The `r` of a refused add's single item. */
function refusedLeft(r) {
  assert.equal(r.status, 429, JSON.stringify(r.body));
  return left(r).add;
}

describe('durable-object mode: per-group quotas, three isolates', () => {
  const POLICY = '"add";q=10;w=600, "add-group";q=3;w=600';
  let stack;
  before(async () => {
    stack = await startStack({
      instances: 3,
      vars: { ...BACKEND, LIMIT_ADD: '10/600', LIMIT_ADD_PER_GROUP: '3/600' },
      captureLogs: true,
    });
  });
  after(() => stack?.close());

  const forwardedTo = async (session, id) => (await forwarded(stack, session, '/participants/add'))
    .filter((r) => decodeURIComponent(r.path).includes(id)).length;

  test('a group stops at 3 and its refused add spends no session unit; another group goes on', async () => {
    const [a, b] = [await createGroup(stack, 'pg'), await createGroup(stack, 'pg')];
    for (let i = 0; i < 3; i += 1) {
      const r = await read(await add(stack.instances[i], 'pg', a, [{ id: user(i) }]));
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.equal(r.headers.get('ratelimit-policy'), POLICY);
      assert.deepEqual(left(r), { add: 9 - i, 'add-group': 2 - i });
      assert.deepEqual(await spent(stack, r), { rateLimit: 'allowed', doCalls: 2, kvOps: 0 });
    }
    const fourth = await read(await add(stack.instances[0], 'pg', a, [{ id: user(3) }]));
    assert.equal(fourth.status, 429);
    assert.ok(fourth.body.detail.includes(`group ${a}`), fourth.body.detail);
    assert.deepEqual(left(fourth), { add: 7, 'add-group': 0 }, 'the session unit was given back');
    assert.deepEqual(await spent(stack, fourth), { rateLimit: 'refused', doCalls: 3, kvOps: 0 },
      'session and group decided, then the session entry released');
    const other = await read(await add(stack.instances[1], 'pg', b, [{ id: user(10) }]));
    assert.deepEqual(left(other), { add: 6, 'add-group': 2 }, 'the session really has 7 left');
    assert.equal(await forwardedTo('pg', a), 3);
  });

  test('10 concurrent adds to one group through 3 isolates: exactly 3 forwarded, 3 session units spent', async () => {
    const [id, ...others] = await Promise.all([0, 1, 2, 3].map(() => createGroup(stack, 'pgburst')));
    const answers = await Promise.all(people(0, 10).map((p, i) => add(stack.instances[i % 3], 'pgburst', id, [p]).then(read)));
    assert.equal(answers.filter((r) => r.status === 201).length, 3);
    assert.equal(await forwardedTo('pgburst', id), 3);
    // 7 session units are left: 3 + 3 + 1 in three other groups, then none.
    await spendTheRest(stack, 'pgburst', others, [3, 3, 1], { units: 10, window: 600, policy: POLICY });
  });

  test('refund gives back both the session and the group units', async () => {
    const id = await createGroup(stack, 'pgrefund');
    await stack.fault({ drop: true, times: 1, match: '/api/pgrefund/' });
    const dropped = await read(await add(stack.instances[2], 'pgrefund', id, [{ id: user(1) }]));
    assert.equal(dropped.status, 502);
    assert.deepEqual(await spent(stack, dropped), { rateLimit: 'refunded', doCalls: 4, kvOps: 0 });
    const full = await read(await add(stack.instances[1], 'pgrefund', id, people(0, 3)));
    assert.equal(full.status, 201, JSON.stringify(full.body));
    assert.deepEqual(left(full), { add: 7, 'add-group': 0 });
  });
});

describeStoreFailure('Durable Object', 'GROUPGATE_QUOTAS', { quotaObjects: false, vars: BACKEND });

describe('durable-object mode: the object fails or hangs', () => {
  for (const [fault, vars] of [['throw', {}], ['status', {}], ['hang', { STORE_TIMEOUT_MS: '300' }]]) {
    test(`QUOTA_OBJECT_FAULT=${fault}: a store failure, so add is refused (503) and remove passes, unmetered`, async () => {
      const stack = await startStack({
        script: 'tests/e2e/fixtures/failing-quota-object.mjs',
        quotaObjects: true,
        vars: { ...BACKEND, ...vars, QUOTA_OBJECT_FAULT: fault },
        captureLogs: true,
      });
      try {
        const id = await createGroup(stack, 'faulty', people(0, 2));
        const started = Date.now();
        const refused = await read(await add(stack, 'faulty', id, [{ id: user(5) }]));
        assert.equal(refused.status, 503, JSON.stringify(refused.body));
        assert.equal(refused.body.code, 'store_unavailable');
        assert.ok(Date.now() - started < 5000, 'a hanging object is given up after STORE_TIMEOUT_MS');
        // The reservation, then the call that forgets it (the object may have written it).
        assert.deepEqual(await spent(stack, refused), { rateLimit: 'store_error_denied', doCalls: 2, kvOps: 0 });
        const removed = await read(await remove(stack, 'faulty', id, people(0, 1)));
        assert.equal(removed.status, 201, JSON.stringify(removed.body));
        assert.equal((await spent(stack, removed)).rateLimit, 'store_error_allowed');
        assert.equal((await forwarded(stack, 'faulty', '/participants/add')).length, 0);
        assert.equal((await forwarded(stack, 'faulty', '/participants/remove')).length, 1);
      } finally {
        await stack.close();
      }
    });
  }
});

describe('durable-object mode: a reservation the Worker gave up on', () => {
  const cases = [
    ['the object wrote it but answered after STORE_TIMEOUT_MS', 'after'],
    ['it reached the object only after the call that forgets it', 'before'],
  ];
  for (const [title, when] of cases) {
    test(`${title}: refused 503, and it spends nothing`, async () => {
      const stack = await startStack({
        script: 'tests/e2e/fixtures/lagging-quota-object.mjs',
        quotaObjects: true,
        vars: {
          ...BACKEND, LIMIT_ADD: '2/600', STORE_TIMEOUT_MS: '300',
          QUOTA_OBJECT_LAGS: '3', QUOTA_OBJECT_LAG_UNITS: '2', QUOTA_OBJECT_LAG_MS: '1500', QUOTA_OBJECT_LAG_WHEN: when,
        },
        captureLogs: true,
      });
      try {
        const id = await createGroup(stack, 'lagging');
        for (let i = 0; i < 3; i++) {
          const refused = await read(await add(stack, 'lagging', id, [{ id: user(10 + i) }]));
          assert.equal(refused.status, 503, JSON.stringify(refused.body));
          assert.equal(refused.body.code, 'store_unavailable');
          assert.deepEqual(await spent(stack, refused), { rateLimit: 'store_error_denied', doCalls: 2, kvOps: 0 });
        }
        // Had the three late entries stayed, the quota of 2 would refuse both of these.
        await new Promise((resolve) => setTimeout(resolve, 1600)); // every late answer has come
        for (let i = 0; i < 2; i++) {
          const admitted = await read(await add(stack, 'lagging', id, [{ id: user(20 + i) }]));
          assert.equal(admitted.status, 201, JSON.stringify(admitted.body));
        }
        assert.equal((await read(await add(stack, 'lagging', id, [{ id: user(30) }]))).status, 429, 'the quota still holds');
      } finally {
        await stack.close();
      }
    });
  }
});
