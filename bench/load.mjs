// The load side of the throughput benchmarks (bench/http.mjs, bench/paired.mjs): the upstream stub
// in a process of its own, and wrk runs with bench/wrk/requests.lua, which counts every answer's
// status.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { CLIENT_KEY, UPSTREAM_KEY } from '../tests/e2e/stack.mjs';
import { ADDS_PER_SESSION } from './routes.mjs';
import { root } from './lib.mjs';

/** Starts bench/upstream.mjs in its own process (its own core time, apart from this one's). */
export async function startUpstreamProcess() {
  const child = spawn(process.execPath, [`${root}bench/upstream.mjs`, UPSTREAM_KEY], { stdio: ['ignore', 'pipe', 'inherit'] });
  const { value: line } = await createInterface({ input: child.stdout })[Symbol.asyncIterator]().next();
  if (!line) throw new Error('bench/upstream.mjs did not start');
  return { url: JSON.parse(line).url, pid: child.pid, close: () => child.kill() };
}

/**
 * One wrk run of `route` against `url` (`-t1`, `connections`, `seconds`): `{requests, rps, p50Ms,
 * p99Ms, statuses, errors, errorKinds}`. `cpu` (a CPU list for taskset) pins wrk to those CPUs.
 */
export function wrk(url, route, { seconds, connections, sessions = 's', key = CLIENT_KEY, cpu }) {
  const env = {
    ...process.env,
    BENCH_METHOD: route.method,
    BENCH_PATH: route.path,
    BENCH_BODY: route.body ?? '',
    BENCH_KEY: key,
    BENCH_SESSIONS_PREFIX: sessions,
    BENCH_PER_SESSION: String(route.rotate ? ADDS_PER_SESSION : 0),
    BENCH_REQUEST_IDS: route.requestIds ? '1' : '',
  };
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '-s', `${root}bench/wrk/requests.lua`, url];
  const [command, commandArgs] = cpu === undefined ? ['wrk', args] : ['taskset', ['-c', cpu, 'wrk', ...args]];
  return new Promise((resolve, reject) => {
    const child = spawn(command, commandArgs, { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => { out += chunk; });
    child.on('error', reject);
    child.on('close', (code) => {
      const requests = /(\d+) requests in/.exec(out);
      const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
      const statuses = /BENCH-STATUS (\{.*\})/.exec(out);
      if (code !== 0 || !requests || !rps || !statuses) return reject(new Error(`wrk failed (${code}):\n${out}`));
      resolve({
        requests: Number(requests[1]),
        rps: Number(rps[1]),
        p50Ms: latencyMs(out, '50%'),
        p99Ms: latencyMs(out, '99%'),
        statuses: JSON.parse(statuses[1]),
        ...socketErrors(out),
      });
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
export function unexpected(statuses, expected) {
  return Object.entries(statuses).reduce((sum, [status, n]) => sum + (Number(status) === expected ? 0 : n), 0);
}
