// The Worker's JavaScript halves on their own, in Node: the executor's (src/worker/task.js), where a
// promise watched by an instance that was replaced meanwhile reports to nobody, since the new
// instance numbers its slots afresh and the outcome would otherwise reach another request; the
// batched runtime calls' (src/worker/batched.js); and the module's (src/worker/entry.js) reads
// remembered by their head, with a stand-in for the wasm instance (fixtures/fake-instance.mjs).
import assert from 'node:assert/strict';
import { register } from 'node:module';
import { test } from 'node:test';
import { install, watch } from '../../src/worker/task.js';
import { UUID } from './proxy-helpers.mjs';

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

/** Loads src/worker/entry.js with fixtures/fake-instance.mjs as its wasm instance: the Worker and the stand-in's calls. */
async function entryWithStandIn() {
  const standIn = new URL('./fixtures/fake-instance.mjs', import.meta.url).href;
  const hooks = `export async function resolve(specifier, context, next) {
    if (specifier === './index.js' && context.parentURL?.endsWith('/src/worker/entry.js')) return { url: ${JSON.stringify(standIn)}, shortCircuit: true };
    return next(specifier, context);
  }`;
  register(`data:text/javascript,${encodeURIComponent(hooks)}`);
  globalThis.addEventListener ??= () => {};
  const { default: worker } = await import('../../src/worker/entry.js');
  const { calls } = await import(standIn);
  return { worker, calls };
}

test('a read whose head is remembered is sent and answered without a call into wasm, each under its own id', async (t) => {
  const { worker, calls } = await entryWithStandIn();
  /** What the upstream stand-in received (its `X-Request-Id`), and the answers it gives, in turn. */
  const sent = [];
  const answers = [];
  t.mock.method(globalThis, 'fetch', async (url, init) => {
    sent.push(init.headers.get('x-request-id'));
    const [status, body] = answers.shift() ?? [200, '{"id":1}'];
    return new Response(body, { status, headers: { 'content-type': 'application/json', 'content-length': String(body.length) } });
  });
  const logged = [];
  t.mock.method(console, 'log', (line) => logged.push(JSON.parse(line)));
  const read = (key = 'k1') => worker.fetch(new Request('http://gateway.test/api/default/groups', { headers: { 'x-api-key': key } }), {}, {});
  const idOf = (res) => res.headers.get('x-request-id');

  const first = await read();
  assert.deepEqual(calls.map(([name]) => name), ['readAhead', 'readAnswered']);
  assert.equal(calls[0][1], 'GET\nhttp://gateway.test/api/default/groups\n\0\nk1', 'wasm was given the head it is remembered by');
  assert.equal(idOf(first), 'first-1');
  assert.deepEqual(sent, ['first-1']);

  calls.length = 0;
  const again = [await read(), await read()];
  assert.deepEqual(calls, [], 'no call into wasm');
  for (const [i, res] of again.entries()) {
    assert.equal(res.status, 200);
    assert.equal(await res.text(), '{"id":1}');
    assert.match(idOf(res), UUID);
    assert.equal(sent[i + 1], idOf(res), 'the upstream saw the answer\'s request id');
    assert.equal(logged[i + 1].requestId, idOf(res), 'and so did the log line');
    assert.equal(typeof logged[i + 1].latencyMs, 'number');
  }
  assert.notEqual(idOf(again[0]), idOf(again[1]));

  await read('k2');
  assert.deepEqual(calls.map(([name]) => name), ['readAhead', 'readAnswered'], 'another key is another head');
  calls.length = 0;
  await read('unkept');
  await read('unkept');
  assert.deepEqual(calls.map(([name]) => name), ['readAhead', 'readAnswered', 'readAhead', 'readAnswered'], 'texts wasm does not let it keep are not remembered');

  // An answer with another head (its length): its texts made by wasm for this exchange.
  calls.length = 0;
  answers.push([200, '{"id":12}']);
  const longer = await read();
  assert.deepEqual(calls.map(([name]) => name), ['readAnswered']);
  const [sentId, arrivedMs] = calls[0][2].split('\n');
  assert.equal(sentId, idOf(longer), 'wasm was given the id the read was sent under');
  assert.ok(Number(arrivedMs) > 0, 'and its arrival time');
  assert.equal(calls[0][3], '200\napplication/json\n9');
  assert.equal(sent.at(-1), idOf(longer));
  assert.equal(await longer.text(), '{"id":12}');
  calls.length = 0;
  answers.push([200, '{"id":21}']);
  await read();
  assert.deepEqual(calls, [], 'that answer\'s head is remembered in turn');

  // An answer that does not stream through: the pipeline takes it up, as the exchange sent.
  answers.push([500, '{}']);
  const failed = await read();
  assert.equal(failed.status, 502);
  assert.deepEqual(calls.map(([name]) => name), ['readAnswered', 'readAhead']);
  assert.equal(calls[1][2], calls[0][2]);
  assert.equal(calls[1][3], 500);

  // 256 reads are remembered: the oldest is forgotten first.
  for (let i = 0; i < 256; i++) await read(`other-${i}`);
  calls.length = 0;
  await read('other-255');
  assert.deepEqual(calls, []);
  await read('k1');
  assert.deepEqual(calls.map(([name]) => name), ['readAhead', 'readAnswered'], 'forgotten');
});
