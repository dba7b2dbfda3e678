#!/usr/bin/env node
// Benchmark (not a test): what the KV rate limiter costs a request, on loopback.
//
//   source scripts/env.sh && node scripts/bench-ratelimit.mjs [N]      (N defaults to 400)
//
// Two stacks run side by side (built worker in workerd with local KV, plus the WAHA simulator):
// `limited` (LIMIT_ADD=50/3600, LIMIT_REFRESH=1/3600, LIMIT_REMOVE=1000/3600) and `unlimited`
// (every LIMIT_*=off). Requests are sent one at a time, alternating between the stacks, so both see
// the same machine state. Reported: client-side latency of
//   - a limited add vs the same add with limiting off (the limiter's added latency), and vs an
//     unlimited GET /groups/{id} on the limited stack;
//   - refusals through KV, refusals from memory, refunds;
//   - a limited remove as the session's log grows (the list reads every entry in the window);
// and the KV operations per request, from the worker's log line (`kvOps`, `rateLimit`).
// Markdown on stdout; progress on stderr.
import { performance } from 'node:perf_hooks';
import os from 'node:os';
import { startStack, UPSTREAM_KEY } from '../tests/e2e/stack.mjs';

const N = Number(process.argv[2] ?? process.env.BENCH_N ?? 400);
const QUOTA = 50; // adds per session before switching sessions: logs stay at most 50 entries
const GROW = Math.max(N, 1000); // removes in one session for the log-size series

const user = (i) => `1415${String(5_000_000 + i).padStart(7, '0')}@c.us`;

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

function stats(values) {
  const v = [...values].sort((a, b) => a - b);
  const at = (q) => v[Math.min(v.length - 1, Math.ceil(q * v.length) - 1)];
  const mean = v.reduce((s, x) => s + x, 0) / v.length;
  return { n: v.length, mean, p50: at(0.5), p95: at(0.95) };
}

const f = (x) => x.toFixed(2);
const row = (name, s, extra = '') => `| ${name} | ${s.n} | ${f(s.mean)} | ${f(s.p50)} | ${f(s.p95)} |${extra}`;

async function opsOf(stack, samples) {
  const lines = await Promise.all(samples.map((s) => stack.logLine(s.requestId)));
  const byLabel = {};
  for (const l of lines) {
    const key = l.rateLimit ?? 'none';
    (byLabel[key] ??= new Set()).add(l.kvOps);
  }
  return byLabel;
}

function expectStatus(samples, status, what) {
  const bad = samples.filter((s) => s.status !== status);
  if (bad.length) throw new Error(`${what}: ${bad.length} answers were not ${status} (first: ${bad[0].status})`);
}

async function main() {
  const limitedVars = { LIMIT_ADD: `${QUOTA}/3600`, LIMIT_REFRESH: '1/3600', LIMIT_REMOVE: `${GROW + 10}/3600` };
  const limited = await startStack({ vars: limitedVars, captureLogs: true });
  const unlimited = await startStack({
    vars: { LIMIT_ADD: 'off', LIMIT_REFRESH: 'off', LIMIT_REMOVE: 'off' }, captureLogs: true,
  });
  try {
    const sessions = Math.ceil(N / QUOTA);
    const groups = { limited: [], unlimited: [] };
    for (let s = 0; s < sessions; s += 1) {
      groups.limited.push(await createGroup(limited, `bench${s}`));
      groups.unlimited.push(await createGroup(unlimited, `bench${s}`));
    }
    const add = (stack, s, id, i) => timed(stack, `/api/bench${s}/groups/${encodeURIComponent(id)}/participants/add`, {
      method: 'POST', body: { participants: [{ id: user(i) }] },
    });
    const get = (stack, s, id) => timed(stack, `/api/bench${s}/groups/${encodeURIComponent(id)}`);

    // Warm-up (JIT, connections, KV database) on a session of its own.
    const warmL = await createGroup(limited, 'warm');
    const warmU = await createGroup(unlimited, 'warm');
    for (let i = 0; i < 30; i += 1) {
      await timed(limited, `/api/warm/groups/${encodeURIComponent(warmL)}`);
      await timed(unlimited, `/api/warm/groups/${encodeURIComponent(warmU)}`);
      await timed(limited, '/api/warm/groups/refresh', { method: 'POST' });
    }

    process.stderr.write(`adds and gets: ${N} each, ${sessions} sessions of ${QUOTA}\n`);
    const limAdd = [];
    const unlAdd = [];
    const limGet = [];
    for (let i = 0; i < N; i += 1) {
      const s = Math.floor(i / QUOTA);
      limAdd.push(await add(limited, s, groups.limited[s], i));
      unlAdd.push(await add(unlimited, s, groups.unlimited[s], i));
      limGet.push(await get(limited, s, groups.limited[s]));
    }
    expectStatus(limAdd, 201, 'limited add');
    expectStatus(unlAdd, 201, 'unlimited add');
    expectStatus(limGet, 200, 'get');

    // Refusals: refresh quota 1 per session. 1st admitted, 2nd refused through KV, 3rd+ from memory.
    const M = Math.max(50, Math.floor(N / 4));
    process.stderr.write(`refusals: ${M} sessions\n`);
    const refAdmit = [];
    const refKv = [];
    const refMem = [];
    for (let k = 0; k < M; k += 1) {
      const path = `/api/deny${k}/groups/refresh`;
      refAdmit.push(await timed(limited, path, { method: 'POST' }));
      refKv.push(await timed(limited, path, { method: 'POST' }));
      refMem.push(await timed(limited, path, { method: 'POST' }));
    }
    expectStatus(refAdmit, 201, 'first refresh');
    expectStatus(refKv, 429, 'second refresh');
    expectStatus(refMem, 429, 'third refresh');

    // Refunds: the upstream drops the connection, the units are given back.
    const R = 50;
    process.stderr.write(`refunds: ${R}\n`);
    const refundGroup = await createGroup(limited, 'refund');
    const refunds = [];
    for (let k = 0; k < R; k += 1) {
      await limited.fault({ drop: true, times: 1, match: '/api/refund/' });
      refunds.push(await timed(limited, `/api/refund/groups/${encodeURIComponent(refundGroup)}/participants/add`, {
        method: 'POST', body: { participants: [{ id: user(k) }] },
      }));
    }
    await limited.clearFaults();
    expectStatus(refunds, 502, 'dropped add');

    // Log growth: removes in one session; the list reads every entry still in the window.
    process.stderr.write(`log growth: ${GROW} removes in one session\n`);
    const growGroup = await createGroup(limited, 'grow');
    const grow = [];
    for (let k = 0; k < GROW; k += 1) {
      grow.push(await timed(limited, `/api/grow/groups/${encodeURIComponent(growGroup)}/participants/remove`, {
        method: 'POST', body: { participants: [{ id: user(k) }] },
      }));
    }
    expectStatus(grow, 201, 'remove');

    // KV operations, from the worker's log lines.
    const ops = {
      admitted: await opsOf(limited, limAdd),
      unlimitedAdd: await opsOf(unlimited, unlAdd),
      get: await opsOf(limited, limGet),
      refusedKv: await opsOf(limited, refKv),
      blocked: await opsOf(limited, refMem),
      refund: await opsOf(limited, refunds),
    };
    const one = (byLabel, label) => {
      const set = byLabel[label];
      if (!set || Object.keys(byLabel).length !== 1) throw new Error(`expected only "${label}": ${JSON.stringify(Object.fromEntries(Object.entries(byLabel).map(([k, v]) => [k, [...v]])))}`);
      return [...set].join('/');
    };

    const sL = stats(limAdd.map((x) => x.ms));
    const sU = stats(unlAdd.map((x) => x.ms));
    const sG = stats(limGet.map((x) => x.ms));
    const out = [];
    out.push(`Machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.`);
    out.push('');
    out.push('Client-side latency on loopback, ms (one request at a time, the two stacks alternated):');
    out.push('');
    out.push('| request | n | mean | p50 | p95 |');
    out.push('|---|---|---|---|---|');
    out.push(row('add, limited (admitted)', sL));
    out.push(row('add, `LIMIT_ADD=off`', sU));
    out.push(row('GET /groups/{id} (never limited)', sG));
    out.push(`| **added by the limiter** (limited − off) | | **${f(sL.mean - sU.mean)}** | **${f(sL.p50 - sU.p50)}** | **${f(sL.p95 - sU.p95)}** |`);
    out.push(row('refresh admitted (quota 1)', stats(refAdmit.map((x) => x.ms))));
    out.push(row('refresh refused through KV (429)', stats(refKv.map((x) => x.ms))));
    out.push(row('refresh refused from memory (429)', stats(refMem.map((x) => x.ms))));
    out.push(row('add refunded (upstream dropped, 502)', stats(refunds.map((x) => x.ms))));
    out.push('');
    out.push('KV operations per request (worker log line `kvOps`, every sample):');
    out.push('');
    out.push('| outcome (`rateLimit`) | KV operations | which |');
    out.push('|---|---|---|');
    out.push(`| admitted (\`allowed\`) | ${one(ops.admitted, 'allowed')} | put own entry, list the prefix |`);
    out.push(`| refused through KV (\`refused\`) | ${one(ops.refusedKv, 'refused')} | put, list, delete own entry |`);
    out.push(`| refused from memory (\`blocked\`) | ${one(ops.blocked, 'blocked')} | none |`);
    out.push(`| refunded (\`refunded\`) | ${one(ops.refund, 'refunded')} | put, list, delete on refund |`);
    out.push(`| unlimited (limit off, or a route without a class) | ${one(ops.unlimitedAdd, 'none')} / ${one(ops.get, 'none')} | none |`);
    out.push('');
    out.push(`Log growth (one session, ${GROW} sequential 1-unit removes, all inside the window):`);
    out.push('');
    out.push('| entries already in the log | n | mean | p50 | p95 |');
    out.push('|---|---|---|---|---|');
    const buckets = [[0, 100], [450, 550], [GROW - 100, GROW]];
    for (const [a, b] of buckets) out.push(row(`${a}–${b - 1}`, stats(grow.slice(a, b).map((x) => x.ms))));
    console.log(out.join('\n'));
  } finally {
    await limited.close();
    await unlimited.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
