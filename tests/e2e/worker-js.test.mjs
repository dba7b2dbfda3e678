// The Worker's JavaScript halves on their own, in Node: the executor's (src/worker/task.js), where a
// promise watched by an instance that was replaced meanwhile reports to nobody, since the new
// instance numbers its slots afresh and the outcome would otherwise reach another request; and the
// batched runtime calls' (src/worker/batched.js).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { install, watch } from '../../src/worker/task.js';

/** A promise and its resolve function. */
function pending() {
  let resolve;
  const promise = new Promise((ok) => { resolve = ok; });
  return { promise, resolve };
}

test('an outcome reaches the instance that watched for it, never its replacement', async () => {
  const first = [];
  install((...report) => first.push(report));
  const early = pending();
  watch(early.promise, 0, 0);
  const failing = Promise.reject(new Error('no'));
  watch(failing, 1, 0);
  await failing.catch(() => {});
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(first.length, 1);
  assert.deepEqual(first[0].slice(0, 2), [1, 0]);
  assert.equal(first[0][3], false, 'a rejection is reported as not fulfilled');

  // The instance is replaced (reset after a trap) while slot 0 still waits.
  const second = [];
  install((...report) => second.push(report));
  const mine = pending();
  watch(mine.promise, 0, 0); // the new instance's first slot: the same number and generation
  early.resolve('an earlier request\'s answer');
  mine.resolve('this request\'s answer');
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual(second, [[0, 0, 'this request\'s answer', true]]);
  assert.equal(first.length, 1, 'nor did the replaced instance hear of it');
});

test('a status that carries no body is answered without one (the constructor throws on any)', async () => {
  const { respond } = await import('../../src/worker/batched.js');
  for (const status of [204, 205, 304]) {
    const res = respond(status, new Uint8Array(0), '\ncontent-type\ntext/plain');
    assert.equal(res.status, status);
    assert.equal(res.body, null);
  }
  const res = respond(200, new TextEncoder().encode('{}'), '\ncontent-type\napplication/json');
  assert.equal(await res.text(), '{}');
});
