// Per-request CPU time of groupgate (or baseline (d) or (e)) against a baseline, both loaded at
// once: the two Workers' workerd processes share one CPU, everything else (this process, the
// upstream stub, the two wrk runs) the other. Sharing one CPU at the same moment, the two meet
// the same machine (its clock, its caches, its neighbours), which moves one run of bench/http.mjs
// against the next by ±10 %; the ratio of their CPU time per request (read from /proc while wrk
// ran) is then good to a few per cent a round. Needs two CPUs and taskset; without them it writes why it did not run.
//
//   node bench/paired.mjs      (after scripts/build-worker.sh and bench/rust-read/build.sh;
//                               settings: BENCH_PAIRED_ROUNDS=8, BENCH_PAIRED_SECONDS=2,
//                               BENCH_CONNECTIONS=8)
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { startStack } from '../tests/e2e/stack.mjs';
import { GROUPGATE_VARS, ROUTES, WORKERS } from './routes.mjs';
import { envNumber, spread, writeResult } from './lib.mjs';
import { startUpstreamProcess, unexpected, wrk } from './load.mjs';
import { loggedAnswers, outputFile } from './output.mjs';

const ROUNDS = envNumber('BENCH_PAIRED_ROUNDS', 8);
const SECONDS = envNumber('BENCH_PAIRED_SECONDS', 2);
const CONNECTIONS = envNumber('BENCH_CONNECTIONS', 8);
/** The CPU the two Workers share, and the one everything else runs on. */
const WORKER_CPU = '0';
const LOAD_CPU = '1';
/**
 * The pairs measured: `[subject, baseline, route, via]`, the subject's CPU per request against the
 * baseline's on the route. (d) against (a), (e) against (d) and groupgate against (e) split
 * groupgate's cost over (a) into what any Rust Worker pays for the runtime work of a read, what
 * groupgate's core adds to it, and what its Worker adapter adds. `via` is how the requests reach
 * the Workers: `entry` through Miniflare's entry worker, as in bench/http.mjs, or `direct` on each
 * Worker's own socket, with nothing in front of it (what the entry worker adds to every Worker's
 * time per request makes the ratios through it kinder). On `fresh`, each request carries an id of
 * its own, so groupgate remembers none of them: what a read costs it the first time.
 */
const PAIRS = [
  ['gg', 'a', 'list', 'entry'], ['gg', 'c', 'list', 'entry'], ['d', 'a', 'list', 'entry'], ['e', 'd', 'list', 'entry'],
  ['gg', 'e', 'list', 'entry'], ['gg', 'a', 'group', 'entry'], ['gg', 'a', 'fresh', 'entry'],
  ['gg', 'a', 'list', 'direct'], ['c', 'a', 'list', 'direct'],
];

const say = (line) => process.stderr.write(`${line}\n`);

/** Why the benchmark cannot run here, if it cannot. */
function unfit() {
  if (availableParallelism() < 2) return 'needs two CPUs';
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
  } catch {
    return 'needs taskset (util-linux)';
  }
  return null;
}

/** Clock ticks per second of /proc's CPU times. */
const TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));

/** CPU seconds a process (all its threads) has used. */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

/** The workerd processes this process has started. */
function workerdPids() {
  try {
    return execFileSync('pgrep', ['-P', String(process.pid), '-x', 'workerd'], { encoding: 'utf8' }).trim().split('\n').map(Number);
  } catch {
    return [];
  }
}

/** Pins every thread of `pid` to `cpu`. */
const pin = (pid, cpu) => execFileSync('taskset', ['-a', '-p', '-c', cpu, String(pid)], { stdio: 'ignore' });

/**
 * Starts one Worker in front of `upstreamUrl`, its workerd pinned to WORKER_CPU: the stack, its pids,
 * the file its console lines go to and the answers wrk has received from it.
 */
async function startPinned(id, upstreamUrl) {
  const before = new Set(workerdPids());
  const file = outputFile('paired', id);
  const stack = await startStack({ script: WORKERS[id].script, upstreamUrl, outputFile: file, vars: GROUPGATE_VARS, directSocket: true });
  const pids = workerdPids().filter((pid) => !before.has(pid));
  if (pids.length === 0) throw new Error(`no workerd process found for ${id}`);
  for (const pid of pids) pin(pid, WORKER_CPU);
  return { stack, pids, file, answered: 0 };
}

/**
 * One round: both Workers loaded at once, `via` their entry or their own sockets; each one's req/s
 * and CPU µs per request. A baseline a route does not list answers as (a) does (every baseline
 * forwards).
 */
async function round(route, workers, via) {
  const cpu = () => workers.map((w) => w.pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0));
  const before = cpu();
  const url = (w) => (via === 'direct' ? w.stack.directUrl : w.stack.url);
  const runs = await Promise.all(workers.map((w) => wrk(url(w), route, { seconds: SECONDS, connections: CONNECTIONS, cpu: LOAD_CPU })));
  const after = cpu();
  return workers.map((w, i) => {
    w.answered += runs[i].requests;
    const expected = route.expect[w.id] ?? route.expect.a;
    const bad = unexpected(runs[i].statuses, expected) + runs[i].errors;
    if (bad > 0) throw new Error(`${route.id} on ${w.id}: ${bad} answers other than ${expected} (${JSON.stringify(runs[i].statuses)})`);
    return { rps: runs[i].rps, usPerRequest: ((after[i] - before[i]) / runs[i].requests) * 1e6 };
  });
}

const why = unfit();
if (why) {
  say(`paired: not run (${why})`);
  writeResult('paired', { skipped: why });
} else {
  const upstream = await startUpstreamProcess();
  pin(process.pid, LOAD_CPU);
  pin(upstream.pid, LOAD_CPU);
  const workers = {};
  /** What paired.json holds, but the log lines' count. */
  let report;
  try {
    for (const id of new Set(PAIRS.flatMap(([subject, base]) => [subject, base]))) workers[id] = { id, ...(await startPinned(id, upstream.url)) };
    const pairs = [];
    for (const [subject, base, routeId, via] of PAIRS) {
      const route = ROUTES.find((r) => r.id === routeId);
      const pair = [workers[base], workers[subject]];
      await round(route, pair, via);
      const rounds = [];
      for (let i = 0; i < ROUNDS; i++) {
        const [b, s] = await round(route, pair, via);
        rounds.push({ baseRps: b.rps, subjectRps: s.rps, baseUs: b.usPerRequest, subjectUs: s.usPerRequest });
        say(`${routeId.padEnd(6)} ${via.padEnd(6)} ${base} ${b.usPerRequest.toFixed(0)} µs/request, ${subject} ${s.usPerRequest.toFixed(0)}: ${(s.usPerRequest / b.usPerRequest).toFixed(3)}×`);
      }
      pairs.push({
        subject,
        base,
        route: route.id,
        via,
        title: route.title,
        baseUs: spread(rounds.map((r) => r.baseUs)),
        subjectUs: spread(rounds.map((r) => r.subjectUs)),
        cpuRatio: spread(rounds.map((r) => r.subjectUs / r.baseUs)),
        rpsRatio: spread(rounds.map((r) => r.subjectRps / r.baseRps)),
        rounds,
      });
    }
    report = {
      settings: { rounds: ROUNDS, seconds: SECONDS, connections: CONNECTIONS, workerCpu: WORKER_CPU, loadCpu: LOAD_CPU },
      workers: Object.fromEntries(Object.keys(workers).map((id) => [id, WORKERS[id].label])),
      pairs,
    };
  } finally {
    for (const w of Object.values(workers)) await w.stack.close();
    upstream.close();
  }
  say(`written ${writeResult('paired', { ...report, logLines: loggedAnswers('paired', workers) })}`);
}
