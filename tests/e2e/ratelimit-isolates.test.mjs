// Both rate-limit stores under one burst spread over three isolates: 40 concurrent one-person adds
// for one session, quota 10, sent round-robin through three worker instances that share one KV
// namespace and one Durable Object namespace; once on workerd's local KV (strongly consistent),
// once on a KV whose list() lags writes (tests/e2e/fixtures/lagging-kv.mjs). Counts what reached
// the simulator, never what the worker says it did.
//
//   source scripts/env.sh && node --test --test-concurrency=1 tests/e2e/ratelimit-isolates.test.mjs
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startStack } from './stack.mjs';
import {
  add, assertRateLimited, concurrentAdds, createGroup, field, people, read,
} from './ratelimit-helpers.mjs';

const INSTANCES = 3;
const LAGGING = 'tests/e2e/fixtures/lagging-kv.mjs';
/** Longer than the whole burst takes: no isolate's list shows an entry of the burst. */
const LAG_MS = '3000';

/** A three-isolate stack of `backend`, on local KV or the lagging one. */
function burstStack(backend, lagging) {
  return startStack({
    instances: INSTANCES,
    captureLogs: true,
    quotaObjects: true,
    ...(lagging && { script: LAGGING }),
    vars: { LIMIT_ADD: '10/600', RATE_LIMIT_BACKEND: backend, KV_LIST_LAG_MS: LAG_MS },
  });
}

/** The burst, checked for what every mode guarantees; returns how many were forwarded. */
async function burst(stack, t) {
  const { answers, reached } = await concurrentAdds(stack, { session: 'burst', n: 40, via: stack.instances });
  const admitted = answers.filter((r) => r.status === 201);
  assert.equal(admitted.length, reached, 'every 201 was forwarded, nothing else was');
  for (const r of answers.filter((a) => a.status !== 201)) assertRateLimited(r, 'add', { units: 10, window: 600 });
  t.diagnostic(`${reached} of 40 forwarded (quota 10)`);
  return { answers, reached };
}

describe('durable-object: exactly the quota across isolates', () => {
  for (const lagging of [false, true]) {
    describe(lagging ? 'with the lagging KV' : 'on local KV', () => {
      let stack;
      before(async () => {
        stack = await burstStack('durable-object', lagging);
      });
      after(() => stack?.close());

      test('40 concurrent adds through 3 isolates: exactly 10 reach the simulator', async (t) => {
        const { answers, reached } = await burst(stack, t);
        assert.equal(reached, 10);
        const lines = await Promise.all(answers.map((r) => stack.logLine(r.requestId)));
        const by = (label) => lines.filter((l) => l.rateLimit === label);
        assert.equal(by('allowed').length, 10);
        assert.ok(by('allowed').every((l) => l.doCalls === 1 && l.kvOps === 0), 'one object call, no KV');
        assert.equal(by('refused').length + by('blocked').length, 30);
        assert.ok(by('refused').length >= 1);
        assert.ok(by('refused').every((l) => l.doCalls === 1 && l.kvOps === 0));
        assert.ok(by('blocked').every((l) => l.doCalls === 0 && l.kvOps === 0));
        // The object saw every admission in turn: each one left one unit fewer.
        const left = answers.filter((r) => r.status === 201).map((r) => field(r.headers.get('ratelimit')).r);
        assert.deepEqual(left.sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      });

      test('the instances are separate isolates: each keeps its own memory of refusals', async () => {
        const id = await createGroup(stack, 'apart');
        assert.equal((await read(await add(stack.instances[0], 'apart', id, people(0, 10)))).status, 201);
        const outcome = async (i) => (await stack.logLine((await read(await add(stack.instances[i], 'apart', id, people(20, 1)))).requestId)).rateLimit;
        assert.deepEqual([await outcome(0), await outcome(0)], ['refused', 'blocked'], 'the first isolate remembers');
        assert.deepEqual([await outcome(1), await outcome(2)], ['refused', 'refused'], 'the others ask the object');
      });
    });
  }
});

describe('kv: exact only where each isolate lists the others\' entries', () => {
  test('on local KV (lists show every write at once): the quota is used, never refused while room is left', async (t) => {
    const stack = await burstStack('kv', false);
    try {
      const { reached } = await burst(stack, t);
      // Isolates stamp entries with their own clocks: two that list at the same instant can each
      // count only what they see, so the quota may be exceeded by the requests in flight.
      assert.ok(reached >= 10, `${reached} forwarded: a free unit was refused`);
    } finally {
      await stack.close();
    }
  });

  test(`with the lagging KV (a list shows a write ${LAG_MS} ms late): more than the quota is admitted`, async (t) => {
    const stack = await burstStack('kv', true);
    try {
      const { reached } = await burst(stack, t);
      assert.ok(reached > 10, `${reached} forwarded: the lagging store did not show the KV mode's limit`);
    } finally {
      await stack.close();
    }
  });
});
