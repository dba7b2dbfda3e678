// Where the Worker's time goes: a CPU profile of the built Worker (build/index.js) in workerd
// while it serves one benchmarked route (bench/routes.mjs). Miniflare opens workerd's inspector on
// a loopback port; the V8 profiler is driven through the inspector protocol while N requests are
// sent eight at a time, in front of bench/upstream.mjs. Each sample's self time is put in one part
// (the Rust code in wasm, the JS↔wasm glue, logging, the runtime, garbage collection, idle).
//
//   node bench/profile.mjs [route] [requests]   one route (list, group, add, refused, invalid;
//                                               default list 4000): writes
//                                               <out>/profile-<route>.cpuprofile (Chromium
//                                               DevTools, speedscope), prints the heaviest functions
//   node bench/profile.mjs --bench              make bench's part: list and add,
//                                               BENCH_PROFILE_REQUESTS each (1000); writes profile.json
// (after scripts/build-worker.sh)
import { mkdirSync, writeFileSync } from 'node:fs';
import { CLIENT_KEY, UPSTREAM_KEY, startStack } from '../tests/e2e/stack.mjs';
import { startUpstream } from './upstream.mjs';
import { GROUPGATE_VARS, ROUTES, pathOf, spendRefreshQuota } from './routes.mjs';
import { envNumber, outDir, writeResult } from './lib.mjs';

/** The parts self time is divided into: the first whose test matches a frame takes it. */
const PARTS = [
  ['idle (waiting for the upstream, KV, the client)', (name) => name === '(idle)'],
  ['garbage collection', (name) => name === '(garbage collector)'],
  ['groupgate\'s Rust code (wasm)', (name, url) => url.includes('.wasm') || name.startsWith('wasm-function')],
  ['JS↔wasm glue: wasm-bindgen imports (`__wbg_*`) and the runtime calls they make', (name) => /^(__wbg_|__wbindgen|wasm-to-js|js-to-wasm)/.test(name)],
  ['log line formatting (`console.log`)', (name, url) => url.startsWith('node-internal:internal_inspect')],
  ['other JavaScript (the Worker\'s module, wasm-bindgen\'s glue)', (name, url) => url !== ''],
  ['workerd and V8 (program, builtins: fetch, streams, timers, Request/Response)', () => true],
];

/** A minimal inspector-protocol client over the Worker's WebSocket. */
async function inspector(url) {
  const socket = new WebSocket(url);
  await new Promise((resolve, reject) => { socket.onopen = resolve; socket.onerror = reject; });
  let next = 1;
  const waiting = new Map();
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    const pending = waiting.get(message.id);
    if (!pending) return;
    waiting.delete(message.id);
    if (message.error) pending.reject(new Error(message.error.message));
    else pending.resolve(message.result);
  };
  return {
    send: (method, params = {}) => new Promise((resolve, reject) => {
      const id = next++;
      waiting.set(id, { resolve, reject });
      socket.send(JSON.stringify({ id, method, params }));
    }),
    close: () => socket.close(),
  };
}

/** Sends `requests` requests of `route`, eight at a time, sessions named `prefix…`; each must answer as expected. */
async function load(base, route, requests, prefix) {
  const statuses = {};
  let sent = 0;
  const { method, body } = route;
  const headers = { 'x-api-key': CLIENT_KEY, ...(body && { 'content-type': 'application/json' }) };
  const client = async () => {
    while (sent < requests) {
      const answer = await fetch(base + pathOf(route, sent++, prefix), { method, headers, body });
      await answer.arrayBuffer();
      statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: 8 }, client));
  if (Object.keys(statuses).join() !== String(route.expect.gg)) throw new Error(`${route.id}: answers ${JSON.stringify(statuses)}, expected ${route.expect.gg}`);
}

/** Self time in ms per function (`name file:line`) and per part, heaviest first. */
function selfTimes(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const functions = new Map();
  const parts = new Map(PARTS.map(([part]) => [part, 0]));
  profile.samples.forEach((id, i) => {
    const { functionName, url, lineNumber } = byId.get(id);
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const name = `${functionName || '(anonymous)'} ${url ? `${url.split('/').pop()}:${lineNumber + 1}` : ''}`.trim();
    functions.set(name, (functions.get(name) ?? 0) + ms);
    const [part] = PARTS.find(([, test]) => test(functionName, url));
    parts.set(part, parts.get(part) + ms);
  });
  const sorted = (map) => [...map].sort((a, b) => b[1] - a[1]);
  return { functions: sorted(functions), parts: [...parts] };
}

/** Profiles `requests` requests of `route` on a fresh groupgate stack: the profile and its self times. */
async function profileRoute(route, requests, upstreamUrl) {
  const stack = await startStack({ upstreamUrl, captureLogs: true, inspectorPort: 0, vars: GROUPGATE_VARS });
  try {
    await spendRefreshQuota(stack);
    await load(stack.url, route, Math.min(requests, 300), 'warm');
    stack.logs.length = 0;
    const base = String(await stack.mf.getInspectorURL()).replace(/^ws/, 'http').replace(/\/$/, '');
    const targets = await (await fetch(`${base}/json`)).json();
    const client = await inspector((targets.find((t) => t.id.includes('groupgate')) ?? targets[0]).webSocketDebuggerUrl);
    try {
      await client.send('Profiler.enable');
      await client.send('Profiler.setSamplingInterval', { interval: 100 });
      await client.send('Profiler.start');
      const started = performance.now();
      await load(stack.url, route, requests, 'profiled');
      const elapsedMs = performance.now() - started;
      const { profile } = await client.send('Profiler.stop');
      return { profile, elapsedMs, ...selfTimes(profile) };
    } finally {
      client.close();
    }
  } finally {
    await stack.close();
  }
}

/** A wasm-bindgen import's JS name: `__wbg_read_e3be… index.js:1` → `read`. */
const importName = (name) => name.replace(/^__wbg_(.*)_[0-9a-f]{16}( .*)?$/, '$1');

const perRequestUs = (ms, requests) => Number(((ms * 1000) / requests).toFixed(2));

const upstream = await startUpstream(UPSTREAM_KEY);
try {
  if (process.argv[2] === '--bench') {
    const requests = envNumber('BENCH_PROFILE_REQUESTS', 1000);
    const routes = [];
    for (const id of ['list', 'add']) {
      const route = ROUTES.find((r) => r.id === id);
      const { elapsedMs, functions, parts } = await profileRoute(route, requests, upstream.url);
      routes.push({
        id, title: route.title, requests, elapsedMs,
        parts: parts.map(([part, ms]) => [part, perRequestUs(ms, requests)]),
        top: functions.filter(([name]) => name !== '(idle)').slice(0, 12).map(([name, ms]) => [name, perRequestUs(ms, requests)]),
        imports: functions.filter(([name]) => name.startsWith('__wbg_')).slice(0, 5).map(([name, ms]) => [importName(name), perRequestUs(ms, requests)]),
      });
      process.stderr.write(`profiled ${id}: ${requests} requests in ${elapsedMs.toFixed(0)} ms\n`);
    }
    writeResult('profile', { routes });
  } else {
    const route = ROUTES.find((r) => r.id === (process.argv[2] ?? 'list'));
    if (!route) throw new Error(`route: one of ${ROUTES.map((r) => r.id).join(', ')}`);
    const requests = Number(process.argv[3] ?? 4000);
    const { profile, elapsedMs, functions, parts } = await profileRoute(route, requests, upstream.url);
    mkdirSync(outDir(), { recursive: true });
    const path = `${outDir()}/profile-${route.id}.cpuprofile`;
    writeFileSync(path, JSON.stringify(profile));
    console.log(`${route.id}: ${requests} requests in ${elapsedMs.toFixed(0)} ms; profile ${path}`);
    console.log('self time per request, µs, by part:');
    for (const [part, ms] of parts) console.log(`${perRequestUs(ms, requests).toFixed(2).padStart(9)}  ${part}`);
    console.log('heaviest functions (self time per request, µs):');
    for (const [name, ms] of functions.slice(0, 25)) console.log(`${perRequestUs(ms, requests).toFixed(2).padStart(9)}  ${name}`);
  }
} finally {
  await upstream.close();
}
