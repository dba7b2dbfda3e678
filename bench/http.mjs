// Requests per second of groupgate against the plain JavaScript baselines (bench/baseline-*.js), all
// in workerd through Miniflare on loopback ports, in front of bench/upstream.mjs. The load is
// wrk (-t1, BENCH_CONNECTIONS connections, BENCH_SECONDS per run) with bench/wrk/requests.lua,
// which counts every answer's status: a run with an answer other than the one expected fails the
// benchmark. Each round runs every route on each Worker in turn, the order reversed every other
// round so machine drift cancels; BENCH_ROUNDS rounds, medians and spread. Writes http.json.
//
//   node bench/http.mjs        (after scripts/build-worker.sh; settings: BENCH_ROUNDS=5,
//                               BENCH_SECONDS=3, BENCH_WARMUP_SECONDS=1, BENCH_CONNECTIONS=8,
//                               BENCH_ROUTES=list,group,add,refused,invalid: a subset)
import { startSimulator } from '../sim/waha-sim.mjs';
import { UPSTREAM_KEY, startStack } from '../tests/e2e/stack.mjs';
import { ADDS_PER_SESSION, GROUPGATE_VARS, ROUTES, WORKERS, spendRefreshQuota } from './routes.mjs';
import { envNumber, spread, writeResult } from './lib.mjs';
import { startUpstreamProcess, unexpected, wrk as wrkRun } from './load.mjs';
import { loggedAnswers, outputFile } from './output.mjs';

const ROUNDS = envNumber('BENCH_ROUNDS', 5);
const SECONDS = envNumber('BENCH_SECONDS', 3);
const WARMUP_SECONDS = envNumber('BENCH_WARMUP_SECONDS', 1);
const CONNECTIONS = envNumber('BENCH_CONNECTIONS', 8);
const routes = ROUTES.filter((r) => !r.pairedOnly && (process.env.BENCH_ROUTES ?? r.id).split(',').includes(r.id));
if (routes.length === 0) throw new Error(`BENCH_ROUTES: none of ${ROUTES.map((r) => r.id).join(', ')}`);

const say = (line) => process.stderr.write(`${line}\n`);

/** One wrk run with this benchmark's connections. */
const wrk = (url, route, options) => wrkRun(url, route, { connections: CONNECTIONS, ...options });

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

/** The Workers the routes name (baselines (d) and (e) are bench/paired.mjs's alone). */
const workers = Object.fromEntries(Object.entries(WORKERS).filter(([id]) => routes.some((r) => id in r.expect)));

const upstream = await startUpstreamProcess();
const stacks = {};
/** Per Worker: the file its console lines go to, and the answers wrk received from it. */
const outputs = Object.fromEntries(Object.keys(workers).map((id) => [id, { file: outputFile('http', id), answered: 0 }]));
/** What http.json holds, but the log lines' count. */
let report;
try {
  for (const [id, worker] of Object.entries(workers)) {
    stacks[id] = await startStack({
      script: worker.script,
      upstreamUrl: upstream.url,
      outputFile: outputs[id].file,
      vars: GROUPGATE_VARS,
    });
  }
  outputs.gg.answered += await spendRefreshQuota(stacks.gg);
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
    outputs[worker].answered += result.requests;
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
  report = {
    settings: { groupgateVars: GROUPGATE_VARS, rounds: ROUNDS, seconds: SECONDS, warmupSeconds: WARMUP_SECONDS, connections: CONNECTIONS, threads: 1, addsPerSession: ADDS_PER_SESSION },
    workers: Object.fromEntries(Object.entries(workers).map(([id, w]) => [id, w.label])),
    ceiling,
    routes: results,
  };
} finally {
  for (const stack of Object.values(stacks)) await stack.close();
  upstream.close();
}
const logLines = loggedAnswers('http', outputs);
say(`request log lines: ${Object.entries(logLines).map(([id, l]) => `${id} ${l.lines} for ${l.answered} answers`).join(', ')}`);
say(`written ${writeResult('http', { ...report, logLines })}`);
