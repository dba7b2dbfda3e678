// Requests per second of groupgate against two plain JavaScript Workers (bench/baseline-*.js), all
// three in workerd through Miniflare on loopback ports, in front of bench/upstream.mjs. The load is
// wrk (-t1, BENCH_CONNECTIONS connections, BENCH_SECONDS per run) with bench/wrk/requests.lua,
// which counts every answer's status: a run with an answer other than the one expected fails the
// benchmark. Each round runs every route on each Worker in turn, the order reversed every other
// round so machine drift cancels; BENCH_ROUNDS rounds, medians and spread. Writes http.json.
//
//   node bench/http.mjs        (after scripts/build-worker.sh; settings: BENCH_ROUNDS=5,
//                               BENCH_SECONDS=5, BENCH_WARMUP_SECONDS=1, BENCH_CONNECTIONS=8,
//                               BENCH_ROUTES=list,group,add,refused,invalid: a subset)
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { startSimulator } from '../sim/waha-sim.mjs';
import { CLIENT_KEY, UPSTREAM_KEY, startStack } from '../tests/e2e/stack.mjs';
import { ADDS_PER_SESSION, GROUPGATE_VARS, ROUTES, spendRefreshQuota } from './routes.mjs';
import { envNumber, root, spread, writeResult } from './lib.mjs';

const ROUNDS = envNumber('BENCH_ROUNDS', 5);
const SECONDS = envNumber('BENCH_SECONDS', 5);
const WARMUP_SECONDS = envNumber('BENCH_WARMUP_SECONDS', 1);
const CONNECTIONS = envNumber('BENCH_CONNECTIONS', 8);
/** The Workers measured: baseline (a), baseline (b), groupgate. */
const WORKERS = {
  a: { label: 'baseline (a): JS pass-through', script: 'bench/baseline-forward.js' },
  b: { label: 'baseline (b): (a) + naive KV limiter', script: 'bench/baseline-kv.js' },
  c: { label: 'baseline (c): (a) + the runtime work of a streamed read (timeout, new response, log line)', script: 'bench/baseline-shaped.js' },
  gg: { label: 'groupgate', script: 'build/index.js' },
};

const routes = ROUTES.filter((r) => (process.env.BENCH_ROUTES ?? r.id).split(',').includes(r.id));
if (routes.length === 0) throw new Error(`BENCH_ROUTES: none of ${ROUTES.map((r) => r.id).join(', ')}`);

const say = (line) => process.stderr.write(`${line}\n`);

/** Starts bench/upstream.mjs in its own process (its own core time, apart from this one's). */
async function startUpstreamProcess() {
  const child = spawn(process.execPath, [`${root}bench/upstream.mjs`, UPSTREAM_KEY], { stdio: ['ignore', 'pipe', 'inherit'] });
  const { value: line } = await createInterface({ input: child.stdout })[Symbol.asyncIterator]().next();
  if (!line) throw new Error('bench/upstream.mjs did not start');
  return { url: JSON.parse(line).url, close: () => child.kill() };
}

/** One wrk run: `{rps, p50Ms, p99Ms, statuses}`. */
function wrk(url, route, { seconds, sessions = 's', key = CLIENT_KEY }) {
  const env = {
    ...process.env,
    BENCH_METHOD: route.method,
    BENCH_PATH: route.path,
    BENCH_BODY: route.body ?? '',
    BENCH_KEY: key,
    BENCH_SESSIONS_PREFIX: sessions,
    BENCH_PER_SESSION: String(route.rotate ? ADDS_PER_SESSION : 0),
  };
  const args = ['-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '--latency', '-s', `${root}bench/wrk/requests.lua`, url];
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => { out += chunk; });
    child.on('error', reject);
    child.on('close', (code) => {
      const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
      const statuses = /BENCH-STATUS (\{.*\})/.exec(out);
      if (code !== 0 || !rps || !statuses) return reject(new Error(`wrk failed (${code}):\n${out}`));
      resolve({ rps: Number(rps[1]), p50Ms: latencyMs(out, '50%'), p99Ms: latencyMs(out, '99%'), statuses: JSON.parse(statuses[1]), ...socketErrors(out) });
    });
  });
}

/** A latency percentile of wrk's `--latency` table, in ms. */
function latencyMs(out, percentile) {
  const found = new RegExp(`^\\s*${percentile}\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(out);
  if (!found) return null;
  return Number(found[1]) * { us: 0.001, ms: 1, s: 1000 }[found[2]];
}

/** wrk's socket errors: `errors`, their count (connect, read, write, timeout; 0 when it reports
 *  none), and `errorKinds`, its line that names them ('' then). */
function socketErrors(out) {
  const found = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  if (!found) return { errors: 0, errorKinds: '' };
  return { errors: found.slice(1).reduce((sum, n) => sum + Number(n), 0), errorKinds: found[0] };
}

/** Answers other than `expected` in a run's status counts. */
function unexpected(statuses, expected) {
  return Object.entries(statuses).reduce((sum, [status, n]) => sum + (Number(status) === expected ? 0 : n), 0);
}

/** wrk against the upstream stub and the simulator themselves: what the Workers sit in front of. */
async function upstreamCeilings(upstream) {
  const route = ROUTES[0];
  const stub = await wrk(upstream.url, route, { seconds: SECONDS, key: UPSTREAM_KEY });
  const sim = await startSimulator({ apiKey: UPSTREAM_KEY });
  try {
    const simulator = await wrk(sim.url, route, { seconds: SECONDS, key: UPSTREAM_KEY });
    return { stub: stub.rps, simulator: simulator.rps };
  } finally {
    await sim.close();
  }
}

const upstream = await startUpstreamProcess();
const stacks = {};
try {
  for (const [id, worker] of Object.entries(WORKERS)) {
    stacks[id] = await startStack({
      script: worker.script,
      upstreamUrl: upstream.url,
      captureLogs: true,
      vars: GROUPGATE_VARS,
    });
  }
  await spendRefreshQuota(stacks.gg);
  say(`upstream ${upstream.url}; workers ${Object.entries(stacks).map(([id, s]) => `${id} ${s.url}`).join(', ')}`);

  say('upstream ceiling: wrk straight against the stub and the simulator');
  const ceiling = await upstreamCeilings(upstream);
  say(`  stub ${ceiling.stub.toFixed(0)} req/s, simulator ${ceiling.simulator.toFixed(0)} req/s`);

  const runs = Object.fromEntries(routes.map((r) => [r.id, Object.fromEntries(Object.keys(r.expect).map((w) => [w, []]))]));
  let sessionRun = 0;
  // A run with any other answer fails the benchmark; one whose only flaw is a few socket errors
  // (a loaded machine's stray timeout) is run once more, and fails if they come back.
  const run = async (route, worker, seconds, retried = false) => {
    const result = await wrk(stacks[worker].url, route, { seconds, sessions: `r${sessionRun++}x` });
    stacks[worker].logs.length = 0;
    const wrong = unexpected(result.statuses, route.expect[worker]);
    if (wrong === 0 && result.errors > 0 && !retried) {
      say(`${route.id} on ${worker}: ${result.errorKinds}; running it again`);
      return run(route, worker, seconds, true);
    }
    const bad = wrong + result.errors;
    if (bad > 0) throw new Error(`${route.id} on ${worker}: ${bad} answers other than ${route.expect[worker]} (${JSON.stringify(result.statuses)}, ${result.errors} socket errors${result.errorKinds ? `: ${result.errorKinds}` : ''})`);
    return result;
  };
  for (const route of routes) {
    for (const worker of Object.keys(route.expect)) await run(route, worker, WARMUP_SECONDS);
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const route of routes) {
      const order = Object.keys(route.expect);
      if (round % 2) order.reverse();
      for (const worker of order) {
        const result = await run(route, worker, SECONDS);
        runs[route.id][worker].push(result);
        say(`round ${round + 1}/${ROUNDS} ${route.id.padEnd(8)} ${worker.padEnd(2)} ${result.rps.toFixed(0).padStart(6)} req/s  p50 ${result.p50Ms} ms`);
      }
    }
  }

  const results = routes.map((route) => {
    const byWorker = runs[route.id];
    const ratio = (base) => byWorker[base] && spread(byWorker.gg.map((r, i) => r.rps / byWorker[base][i].rps));
    return {
      id: route.id,
      title: route.title,
      target: route.target ?? null,
      expect: route.expect,
      workers: Object.fromEntries(Object.entries(byWorker).map(([w, list]) => [w, {
        rps: spread(list.map((r) => r.rps)),
        p50Ms: spread(list.map((r) => r.p50Ms)),
        answers: list.reduce((sum, r) => sum + Object.values(r.statuses).reduce((a, n) => a + n, 0), 0),
      }])),
      ratioToA: ratio('a'),
      ratioToB: ratio('b') ?? null,
      ratioToC: ratio('c') ?? null,
    };
  });
  const path = writeResult('http', {
    settings: { groupgateVars: GROUPGATE_VARS, rounds: ROUNDS, seconds: SECONDS, warmupSeconds: WARMUP_SECONDS, connections: CONNECTIONS, threads: 1, addsPerSession: ADDS_PER_SESSION },
    workers: Object.fromEntries(Object.entries(WORKERS).map(([id, w]) => [id, w.label])),
    ceiling,
    routes: results,
  });
  say(`written ${path}`);
} finally {
  for (const stack of Object.values(stacks)) await stack.close();
  upstream.close();
}
