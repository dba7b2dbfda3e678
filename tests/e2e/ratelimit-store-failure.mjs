// The store-failure suites, run once per rate-limit store: the worker started without the store's
// binding (`without`: startStack options) follows RATE_LIMIT_ON_STORE_ERROR, and logs the failure
// naming the binding.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startStack } from './stack.mjs';
import { add, createGroup, forwarded, people, read, refresh, remove, user } from './ratelimit-helpers.mjs';

/** Defines the suites for the store of `binding`, unreachable with the startStack options `without`. */
export function describeStoreFailure(store, binding, without) {
  describe(`${store} unavailable (no ${binding} binding)`, () => {
    let stack;
    before(async () => {
      stack = await startStack({ ...without, captureLogs: true });
    });
    after(() => stack?.close());

    test('add and refresh answer 503 store_unavailable and are not forwarded (default deny)', async () => {
      const id = await createGroup(stack, 'down', people(0, 2));
      for (const res of [await add(stack, 'down', id, [{ id: user(5) }]), await refresh(stack, 'down')]) {
        const r = await read(res);
        assert.equal(r.status, 503, JSON.stringify(r.body));
        assert.equal(r.body.code, 'store_unavailable');
        assert.match(r.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
        assert.equal((await stack.logLine(r.requestId)).rateLimit, 'store_error_denied');
      }
      assert.equal((await forwarded(stack, 'down', '/participants/add')).length, 0);
      assert.equal((await forwarded(stack, 'down', '/groups/refresh')).length, 0);
      const logged = stack.logs.filter((l) => l.level === 'error' && l.json?.rateLimitStoreError);
      assert.ok(logged.some((l) => l.json.rateLimitStoreError.includes(binding)), 'the failure is logged');
    });

    test('remove passes (default allow: admins must be able to remove spammers)', async () => {
      const id = await createGroup(stack, 'down2', people(0, 2));
      const r = await read(await remove(stack, 'down2', id, people(0, 1)));
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.equal(r.headers.get('ratelimit'), null, 'no decision was made');
      assert.equal((await stack.logLine(r.requestId)).rateLimit, 'store_error_allowed');
      assert.equal((await forwarded(stack, 'down2', '/participants/remove')).length, 1);
    });
  });

  describe(`${store} unavailable with RATE_LIMIT_ON_STORE_ERROR="add:allow"`, () => {
    let stack;
    before(async () => {
      const vars = { ...without.vars, RATE_LIMIT_ON_STORE_ERROR: 'add:allow' };
      stack = await startStack({ ...without, vars, captureLogs: true });
    });
    after(() => stack?.close());

    test('add passes; refresh keeps its default (deny)', async () => {
      const id = await createGroup(stack, 'open');
      const r = await read(await add(stack, 'open', id, [{ id: user(1) }]));
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.equal((await stack.logLine(r.requestId)).rateLimit, 'store_error_allowed');
      assert.equal((await forwarded(stack, 'open', '/participants/add')).length, 1);
      const f = await read(await refresh(stack, 'open'));
      assert.equal(f.status, 503);
      assert.equal(f.body.code, 'store_unavailable');
    });
  });
}
