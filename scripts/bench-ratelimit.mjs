#!/usr/bin/env node
// Benchmark (not a test): what each rate-limit store costs a request, side by side, on loopback.
//
//   source scripts/env.sh && node scripts/bench-ratelimit.mjs [N]      (N defaults to 400)
//
// Three stacks run at once (built worker in workerd with local KV and Durable Objects, each in
// front of its own WAHA simulator): `kv` (RATE_LIMIT_BACKEND=kv), `durable-object`
// (RATE_LIMIT_BACKEND=durable-object), both with LIMIT_ADD=50/3600, LIMIT_REFRESH=1/3600 and a
// large LIMIT_REMOVE, and `off` (every LIMIT_*=off). Requests are sent one at a time, rotating
// through the stacks, so all see the same machine state. Measured: client-side latency of an
// admitted add in each mode against the same add with limiting off (the limiter's added latency),
// refusals through the store and from memory, refunds, and a remove as the session's log grows;
// and the store operations per request, from the worker's log line (`kvOps`, `doCalls`).
//
// The figures go to ratelimit.json (markdown), which bench/report.mjs places in BENCHMARKS.md's
// rate-limiting section; progress on stderr.
import { performance } from 'node:perf_hooks';
import os from 'node:os';
import { startStack, UPSTREAM_KEY } from '../tests/e2e/stack.mjs';
import { writeResult } from '../bench/lib.mjs';

const N = Number(process.argv[2] ?? process.env.BENCH_N ?? 400);
const QUOTA = 50; // adds per session before switching sessions: logs stay at most 50 entries
const GROW = Math.max(N, 1000); // removes in one session for the log-size series
const MODES = ['kv', 'durable-object'];

const user = (i) => `1415${String(5_000_000 + i).padStart(7, '0')}@c.us`;
const say = (line) => process.stderr.write(`${line}\n`);

async function createGroup(stack, session) {
  const res = await fetch(`${stack.sim.url}/api/${session}/groups`, {
    method: 'POST',
    headers: { 'x-api-key': UPSTREAM_KEY, 'content-type': 'application/json' },
    body: JSON.stringify({ name: `bench ${session}`, participants: [] }),
  });
  if (res.status !== 201) throw new Error(`simulator: create group ${res.status}`);
  return (await res.json()).id;
}

/** Sends one request, reads the body; returns {ms, status, requestId}. */
async function timed(stack, path, init) {
  const t0 = performance.now();
  const res = await stack.call(path, init);
  await res.arrayBuffer();
  const ms = performance.now() - t0;
  return { ms, status: res.status, requestId: res.headers.get('x-request-id') };
}

function stats(samples) {
  const v = samples.map((s) => s.ms).sort((a, b) => a - b);
  const at = (q) => v[Math.min(v.length - 1, Math.ceil(q * v.length) - 1)];
  return { n: v.length, mean: v.reduce((s, x) => s + x, 0) / v.length, p50: at(0.5), p95: at(0.95) };
}

const f = (x) => x.toFixed(2);
const row = (name, s) => `| ${name} | ${s.n} | ${f(s.mean)} | ${f(s.p50)} | ${f(s.p95)} |`;

function expectStatus(samples, status, what) {
  const bad = samples.filter((s) => s.status !== status);
  if (bad.length) throw new Error(`${what}: ${bad.length} answers were not ${status} (first: ${bad[0].status})`);
}

/** The `kvOps`/`doCalls` of every sample's log line, which must all carry `label` and agree. */
async function opsOf(stack, samples, label) {
  const lines = await Promise.all(samples.map((s) => stack.logLine(s.requestId)));
  const seen = new Set(lines.map((l) => `${l.rateLimit ?? 'none'} ${l.kvOps} ${l.doCalls}`));
  if (seen.size !== 1) throw new Error(`expected one outcome for "${label}", saw ${[...seen].join('; ')}`);
  const [rateLimit, kvOps, doCalls] = [...seen][0].split(' ');
  if (rateLimit !== label) throw new Error(`expected "${label}", saw "${rateLimit}"`);
  return { kvOps: Number(kvOps), doCalls: Number(doCalls) };
}

/** Runs `step(stack, name)` `times` times, rotating through `stacks`; samples by stack name. */
async function rotate(stacks, times, step) {
  const out = Object.fromEntries(Object.keys(stacks).map((name) => [name, []]));
  for (let i = 0; i < times; i += 1) {
    for (const [name, stack] of Object.entries(stacks)) out[name].push(await step(stack, i, name));
  }
  return out;
}

async function measure(stacks) {
  const limited = Object.fromEntries(MODES.map((m) => [m, stacks[m]]));
  const sessions = Math.ceil(N / QUOTA);
  const groups = {};
  for (const [name, stack] of Object.entries(stacks)) {
    groups[name] = [];
    for (let s = 0; s < sessions; s += 1) groups[name].push(await createGroup(stack, `bench${s}`));
    groups[name].warm = await createGroup(stack, 'warm');
    groups[name].refund = await createGroup(stack, 'refund');
    groups[name].grow = await createGroup(stack, 'grow');
  }
  const path = (session, id, rest = '') => `/api/${session}/groups/${encodeURIComponent(id)}${rest}`;
  const one = (i) => ({ method: 'POST', body: { participants: [{ id: user(i) }] } });

  say('warm-up');
  await rotate(stacks, 30, async (stack, i, name) => {
    await timed(stack, path('warm', groups[name].warm));
    return timed(stack, '/api/warm/groups/refresh', { method: 'POST' });
  });

  say(`adds: ${N} per stack, ${sessions} sessions of ${QUOTA}`);
  const adds = await rotate(stacks, N, (stack, i, name) => {
    const s = Math.floor(i / QUOTA);
    return timed(stack, path(`bench${s}`, groups[name][s], '/participants/add'), one(i));
  });
  for (const [name, samples] of Object.entries(adds)) expectStatus(samples, 201, `${name} add`);

  // Refresh quota 1 per session: the 1st is admitted, the 2nd refused by the store, the 3rd from memory.
  const M = Math.max(50, Math.floor(N / 4));
  say(`refusals: ${M} sessions per mode`);
  const refusals = await rotate(limited, M, async (stack, k) => {
    const at = `/api/deny${k}/groups/refresh`;
    const init = { method: 'POST' };
    return { admit: await timed(stack, at, init), store: await timed(stack, at, init), memory: await timed(stack, at, init) };
  });

  const R = 50;
  say(`refunds: ${R} per mode`);
  const refunds = await rotate(limited, R, async (stack, k, name) => {
    await stack.fault({ drop: true, times: 1, match: '/api/refund/' });
    return timed(stack, path('refund', groups[name].refund, '/participants/add'), one(k));
  });

  say(`log growth: ${GROW} removes in one session per mode`);
  const grow = await rotate(limited, GROW, (stack, k, name) => timed(stack, path('grow', groups[name].grow, '/participants/remove'), one(k)));

  const results = {};
  for (const mode of MODES) {
    const stack = stacks[mode];
    const pick = (key) => refusals[mode].map((x) => x[key]);
    expectStatus(pick('admit'), 201, `${mode} first refresh`);
    expectStatus(pick('store'), 429, `${mode} second refresh`);
    expectStatus(pick('memory'), 429, `${mode} third refresh`);
    expectStatus(refunds[mode], 502, `${mode} dropped add`);
    expectStatus(grow[mode], 201, `${mode} remove`);
    results[mode] = {
      add: stats(adds[mode]),
      admit: stats(pick('admit')),
      store: stats(pick('store')),
      memory: stats(pick('memory')),
      refund: stats(refunds[mode]),
      grow: [[0, 100], [450, 550], [GROW - 100, GROW]].map(([a, b]) => [`${a}–${b - 1}`, stats(grow[mode].slice(a, b))]),
      ops: {
        allowed: await opsOf(stack, adds[mode], 'allowed'),
        refused: await opsOf(stack, pick('store'), 'refused'),
        blocked: await opsOf(stack, pick('memory'), 'blocked'),
        refunded: await opsOf(stack, refunds[mode], 'refunded'),
      },
    };
  }
  return { results, off: { add: stats(adds.off), ops: await opsOf(stacks.off, adds.off, 'none') } };
}

function report({ results, off }) {
  const out = [];
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  out.push(`Run ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; ${os.cpus().length} cores (${cpu}), load average ${os.loadavg()[0].toFixed(1)}, Node ${process.version}; N = ${N}.`);
  out.push('');
  out.push('Client-side latency on loopback, ms (one request at a time, the stacks rotated):');
  out.push('');
  out.push('| request | n | mean | p50 | p95 |');
  out.push('|---|---|---|---|---|');
  out.push(row('add, `LIMIT_ADD=off`', off.add));
  for (const mode of MODES) {
    const r = results[mode];
    out.push(row(`add admitted, \`${mode}\``, r.add));
    out.push(`| **added by the limiter, \`${mode}\`** (admitted − off) | | **${f(r.add.mean - off.add.mean)}** | **${f(r.add.p50 - off.add.p50)}** | **${f(r.add.p95 - off.add.p95)}** |`);
  }
  for (const [key, what] of [['admit', 'refresh admitted (quota 1)'], ['store', 'refresh refused by the store (429)'], ['memory', 'refresh refused from memory (429)'], ['refund', 'add refunded (upstream dropped, 502)']]) {
    for (const mode of MODES) out.push(row(`${what}, \`${mode}\``, results[mode][key]));
  }
  out.push('');
  out.push('Store operations per limited request (worker log line, identical for every sample):');
  out.push('');
  out.push('| outcome (`rateLimit`) | `kv`: KV operations (`kvOps`) | `durable-object`: object calls (`doCalls`) | `durable-object`: KV operations |');
  out.push('|---|---|---|---|');
  for (const [label, what] of [['allowed', 'admitted'], ['refused', 'refused by the store'], ['blocked', 'refused from memory'], ['refunded', 'refunded']]) {
    const kv = results.kv.ops[label];
    const dobj = results['durable-object'].ops[label];
    out.push(`| ${what} (\`${label}\`) | ${kv.kvOps} | ${dobj.doCalls} | ${dobj.kvOps} |`);
  }
  out.push(`| unlimited (\`LIMIT_*=off\`) | ${off.ops.kvOps} | ${off.ops.doCalls} | ${off.ops.kvOps} |`);
  out.push('');
  out.push(`Log growth: one session, ${GROW} sequential one-unit removes, all inside the window (latency, ms):`);
  out.push('');
  out.push('| entries already in the log | mode | n | mean | p50 | p95 |');
  out.push('|---|---|---|---|---|---|');
  for (const [i] of results.kv.grow.entries()) {
    for (const mode of MODES) {
      const [range, s] = results[mode].grow[i];
      out.push(`| ${range} | \`${mode}\` | ${s.n} | ${f(s.mean)} | ${f(s.p50)} | ${f(s.p95)} |`);
    }
  }
  return out.join('\n');
}

async function main() {
  const limits = { LIMIT_ADD: `${QUOTA}/3600`, LIMIT_REFRESH: '1/3600', LIMIT_REMOVE: `${GROW + 10}/3600` };
  const stacks = {};
  try {
    for (const mode of MODES) stacks[mode] = await startStack({ vars: { ...limits, RATE_LIMIT_BACKEND: mode }, captureLogs: true });
    stacks.off = await startStack({ vars: { LIMIT_ADD: 'off', LIMIT_REFRESH: 'off', LIMIT_REMOVE: 'off' }, captureLogs: true });
    const markdown = report(await measure(stacks));
    console.log(markdown);
    say(`written to ${writeResult('ratelimit', { markdown })}`);
  } finally {
    for (const stack of Object.values(stacks)) await stack.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
