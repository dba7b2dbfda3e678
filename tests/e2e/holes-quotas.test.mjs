// Quotas that could be walked around, each tried with an ordinary client key: creating groups once
// the add quota is spent (and creating groups at all), approving join requests, and asking
// WhatsApp for a picture again. The simulator's record proves what reached it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack } from './stack.mjs';
import { add, createGroup, groupPath, people, read, user } from './ratelimit-helpers.mjs';

/** Runs `body(stack)` against a fresh stack with `vars`, closed afterwards. */
async function withStack(vars, body) {
  const stack = await startStack({ vars });
  try {
    await body(stack);
  } finally {
    await stack.close();
  }
}

const create = (stack, session, participants, subject = 'Quota test') =>
  stack.call(`/api/${session}/groups`, { method: 'POST', body: { name: subject, participants } });

/** Requests of `session` that reached the simulator with this method and path. */
async function reached(stack, session, method, path) {
  return (await stack.received()).filter((r) => r.method === method && r.path === `/api/${session}${path}`);
}

describe('creating groups', () => {
  test('a create spends one add unit per initial participant: once the add quota is spent, it is refused unforwarded', () =>
    withStack({ LIMIT_ADD: '5/600' }, async (stack) => {
      const group = await createGroup(stack, 'walk');
      await stack.clearReceived();
      assert.equal((await read(await add(stack, 'walk', group, people(0, 4)))).status, 201);
      // 1 add unit left: a create with 2 people does not fit.
      const refused = await read(await create(stack, 'walk', people(10, 2)));
      assert.equal(refused.status, 429, JSON.stringify(refused.body));
      assert.equal(refused.body.code, 'rate_limited');
      assert.match(refused.body.detail, /add quota of session walk/);
      assert.deepEqual(await reached(stack, 'walk', 'POST', '/groups'), [], 'the create never reached WAHA');
      // One person still fits, and spends the last unit.
      assert.equal((await read(await create(stack, 'walk', people(20, 1)))).status, 201);
      assert.equal((await read(await add(stack, 'walk', group, people(30, 1)))).status, 429);
      assert.equal((await reached(stack, 'walk', 'POST', '/groups')).length, 1);
    }));

  test('LIMIT_CREATE counts groups per session: the third of 2/86400 is refused unforwarded, other sessions unaffected', () =>
    withStack({ LIMIT_CREATE: '2/86400' }, async (stack) => {
      for (const i of [0, 1]) {
        const res = await read(await create(stack, 'makers', people(i, 1), `Group ${i}`));
        assert.equal(res.status, 201, JSON.stringify(res.body));
        assert.match(res.headers.get('ratelimit-policy'), /"create";q=2;w=86400/);
      }
      const third = await read(await create(stack, 'makers', people(5, 1), 'Group 2'));
      assert.equal(third.status, 429);
      assert.match(third.body.detail, /create quota of session makers/);
      assert.ok(Number(third.headers.get('retry-after')) > 0);
      assert.equal((await reached(stack, 'makers', 'POST', '/groups')).length, 2, 'exactly two creates reached WAHA');
      assert.equal((await read(await create(stack, 'others', people(6, 1)))).status, 201);
    }));

  test('the default create quota is on (10 a day) and a refused create gives its add units back', () =>
    withStack({ LIMIT_ADD: '3/600', LIMIT_CREATE: '1/86400' }, async (stack) => {
      assert.equal((await read(await create(stack, 'once', people(0, 1)))).status, 201);
      // Refused by the create quota: the 2 add units it would have spent stay available.
      assert.equal((await read(await create(stack, 'once', people(1, 2)))).status, 429);
      const group = await createGroup(stack, 'once');
      assert.equal((await read(await add(stack, 'once', group, people(10, 2)))).status, 201, 'all or none');
    }));
});

describe('approving join requests', () => {
  test('approvals spend add units (an approval adds a person); rejections do not', () =>
    withStack({ LIMIT_ADD: '1/600' }, async (stack) => {
      const beta = '120363000000000002@g.us'; // the simulator's group with two pending requests
      const approve = (id) => stack.call(groupPath('default', beta, '/participants/join-requests/approve'), {
        method: 'POST', body: { participants: [{ id }] },
      });
      const first = await read(await approve('15550000005@c.us'));
      assert.equal(first.status, 201, JSON.stringify(first.body));
      assert.match(first.headers.get('ratelimit'), /"add";r=0/);
      const second = await read(await approve('15550000006@c.us'));
      assert.equal(second.status, 429);
      const path = `/groups/${beta}/participants/join-requests/approve`;
      assert.equal((await reached(stack, 'default', 'POST', path)).length, 1, 'the second approval never reached WAHA');
      const reject = await read(await stack.call(groupPath('default', beta, '/participants/join-requests/reject'), {
        method: 'POST', body: { participants: [{ id: '15550000006@c.us' }] },
      }));
      assert.equal(reject.status, 201, 'rejecting admits nobody: no add unit');
    }));
});

describe('refreshing a picture', () => {
  test('GET …/picture?refresh=true spends a refresh unit; a plain picture read does not', () =>
    withStack({ LIMIT_REFRESH: '1/600' }, async (stack) => {
      const alpha = '120363000000000001@g.us';
      const picture = (query) => stack.call(groupPath('default', alpha, `/picture${query}`));
      assert.equal((await read(await picture('?refresh=true'))).status, 200);
      const again = await read(await picture('?refresh=true'));
      assert.equal(again.status, 429);
      assert.match(again.body.detail, /refresh quota of session default/);
      for (const query of ['', '?refresh=false']) {
        assert.equal((await read(await picture(query))).status, 200, `picture${query} is not a refresh`);
      }
      const reads = (await stack.received()).filter((r) => r.method === 'GET' && r.path.endsWith('/picture'));
      assert.deepEqual(reads.map((r) => r.query ?? ''), ['refresh=true', '', 'refresh=false']);
      // And the refresh quota is the one a group refresh spends.
      assert.equal((await read(await stack.call('/api/default/groups/refresh', { method: 'POST' }))).status, 429);
    }));
});

describe('a store that fails between the write of an entry and its decision', () => {
  test('the request is refused 503 and spends nothing: its entry is taken back', async () => {
    const stack = await startStack({
      script: 'tests/e2e/fixtures/failing-kv-list.mjs', quotaObjects: true, captureLogs: true, vars: { LIMIT_ADD: '2/600' },
    });
    try {
      const group = await createGroup(stack, 'flakyadds', people(0, 2));
      for (let i = 0; i < 3; i++) {
        const r = await read(await add(stack, 'flakyadds', group, [{ id: user(10 + i) }]));
        assert.equal(r.status, 503, JSON.stringify(r.body));
        assert.equal(r.body.code, 'store_unavailable');
      }
      const kv = await stack.mf.getKVNamespace('GROUPGATE_KV');
      const left = (await kv.list()).keys.map((k) => k.name).filter((name) => name.includes('/flakyadds/'));
      assert.deepEqual(left, [], 'no entry of a refused request is left in the log');
    } finally {
      await stack.close();
    }
  });
});
