// A CPU profile of the built Worker (build/index.js) in workerd while it serves one benchmarked
// route: Miniflare's inspector on a loopback port, the V8 profiler driven through the inspector
// protocol, N requests sent eight at a time to bench/upstream.mjs's stand-in. Writes
// <out>/profile-<route>.cpuprofile (Chromium DevTools, speedscope) and prints the functions with
// the most self time.
//
//   node bench/profile.mjs [route] [requests]    (route: list, group, add, refused, invalid;
//                                                 default list 4000; after scripts/build-worker.sh)
import { writeFileSync, mkdirSync } from 'node:fs';
import { CLIENT_KEY, UPSTREAM_KEY, startStack } from '../tests/e2e/stack.mjs';
import { GROUP_ID, startUpstream } from './upstream.mjs';
import { outDir } from './lib.mjs';

const ADD = `/groups/${GROUP_ID}/participants/add`;
/** The routes of bench/http.mjs: `(i) => [path, method, body]` of the i-th request. */
const ROUTES = {
  list: () => ['/api/default/groups', 'GET'],
  group: () => [`/api/default/groups/${GROUP_ID}`, 'GET'],
  add: (i) => [`/api/p${Math.floor(i / 40)}${ADD}`, 'POST', '{"participants":[{"id":"15551234567@c.us"}]}'],
  refused: () => ['/api/spent/groups/refresh', 'POST'],
  invalid: () => [`/api/default${ADD}`, 'POST', '{"participants":[{"id":"not-a-phone"}]}'],
};
const route = process.argv[2] ?? 'list';
const requests = Number(process.argv[3] ?? 4000);
if (!ROUTES[route]) throw new Error(`route: one of ${Object.keys(ROUTES).join(', ')}`);

/** A minimal inspector-protocol client over the Worker's WebSocket. */
async function inspector(url) {
  const socket = new WebSocket(url);
  await new Promise((resolve, reject) => { socket.onopen = resolve; socket.onerror = reject; });
  let next = 1;
  const waiting = new Map();
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.id && waiting.has(message.id)) {
      const { resolve, reject } = waiting.get(message.id);
      waiting.delete(message.id);
      if (message.error) reject(new Error(message.error.message));
      else resolve(message.result);
    }
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

/** Sends `requests` requests of the route, eight at a time; counts statuses. */
async function load(base) {
  const statuses = {};
  let sent = 0;
  const worker = async () => {
    while (sent < requests) {
      const [path, method, body] = ROUTES[route](sent++);
      const headers = { 'x-api-key': CLIENT_KEY, ...(body && { 'content-type': 'application/json' }) };
      const answer = await fetch(base + path, { method, headers, body });
      await answer.arrayBuffer();
      statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return statuses;
}

/** Self time per function (ms), heaviest first. */
function selfTimes(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map();
  profile.samples.forEach((id, i) => {
    const { functionName, url, lineNumber } = byId.get(id).callFrame;
    const name = `${functionName || '(anonymous)'} ${url ? `${url.split('/').pop()}:${lineNumber + 1}` : ''}`.trim();
    totals.set(name, (totals.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return [...totals].sort((a, b) => b[1] - a[1]);
}

const upstream = await startUpstream(UPSTREAM_KEY);
const stack = await startStack({ upstreamUrl: upstream.url, captureLogs: true, inspectorPort: 0, vars: { LIMIT_REFRESH: '1/3600' } });
try {
  for (let i = 0; i < 2; i++) await stack.call('/api/spent/groups/refresh', { method: 'POST' }).then((a) => a.arrayBuffer());
  await load(stack.url); // warm-up
  const targets = await (await fetch(`${String(await stack.mf.getInspectorURL()).replace(/^ws/, 'http').replace(/\/$/, '')}/json`)).json();
  const target = targets.find((t) => t.id.includes('groupgate')) ?? targets[0];
  const client = await inspector(target.webSocketDebuggerUrl);
  await client.send('Profiler.enable');
  await client.send('Profiler.setSamplingInterval', { interval: 100 });
  await client.send('Profiler.start');
  const started = performance.now();
  const statuses = await load(stack.url);
  const elapsed = performance.now() - started;
  const { profile } = await client.send('Profiler.stop');
  client.close();
  mkdirSync(outDir(), { recursive: true });
  const path = `${outDir()}/profile-${route}.cpuprofile`;
  writeFileSync(path, JSON.stringify(profile));
  const times = selfTimes(profile);
  const total = times.reduce((sum, [, ms]) => sum + ms, 0);
  console.log(`${route}: ${requests} requests in ${elapsed.toFixed(0)} ms, statuses ${JSON.stringify(statuses)}; profile ${path}`);
  console.log(`self time per request, µs (of ${(total * 1000 / requests).toFixed(1)} µs sampled per request, idle included):`);
  for (const [name, ms] of times.slice(0, 25)) console.log(`${(ms * 1000 / requests).toFixed(2).padStart(9)}  ${name}`);
} finally {
  await stack.close();
  await upstream.close();
}
