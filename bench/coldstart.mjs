// Cold start: from a new workerd process (a new isolate: the module loaded, its wasm compiled) to
// the first answer, for groupgate and baseline (a). Each sample starts a fresh Miniflare, times
// `ready` (workerd started, the Worker loaded) and then the first request (`GET
// /api/default/groups` to bench/upstream.mjs), and closes it; the two Workers alternate.
// Writes coldstart.json.
//
//   node bench/coldstart.mjs      (after scripts/build-worker.sh; BENCH_COLD_SAMPLES=5)
import { performance } from 'node:perf_hooks';
import { UPSTREAM_KEY, startStack } from '../tests/e2e/stack.mjs';
import { WORKERS } from './routes.mjs';
import { startUpstream } from './upstream.mjs';
import { envNumber, spread, writeResult } from './lib.mjs';

const SAMPLES = envNumber('BENCH_COLD_SAMPLES', 5);

/** One sample: ms to `ready`, ms from then to the first answer's body. */
async function sample(script, upstreamUrl) {
  const started = performance.now();
  const stack = await startStack({ script, upstreamUrl, captureLogs: true });
  const ready = performance.now();
  try {
    const answer = await stack.call('/api/default/groups');
    await answer.arrayBuffer();
    if (answer.status !== 200) throw new Error(`${script}: first request answered ${answer.status}`);
    const answered = performance.now();
    return { readyMs: ready - started, firstRequestMs: answered - ready, totalMs: answered - started };
  } finally {
    await stack.close();
  }
}

const upstream = await startUpstream(UPSTREAM_KEY);
try {
  const samples = { a: [], gg: [] };
  for (let i = 0; i < SAMPLES; i++) {
    const order = i % 2 ? ['gg', 'a'] : ['a', 'gg'];
    for (const worker of order) {
      const s = await sample(WORKERS[worker].script, upstream.url);
      samples[worker].push(s);
      process.stderr.write(`cold start ${worker}: ready ${s.readyMs.toFixed(0)} ms + first answer ${s.firstRequestMs.toFixed(1)} ms\n`);
    }
  }
  const summary = (list) => Object.fromEntries(['readyMs', 'firstRequestMs', 'totalMs'].map((k) => [k, spread(list.map((s) => s[k]))]));
  writeResult('coldstart', { samples: SAMPLES, workers: { a: summary(samples.a), gg: summary(samples.gg) } });
} finally {
  await upstream.close();
}
