#!/usr/bin/env node
// Benchmark (not a test): what the group cache saves and costs, on loopback. Writes its section of
// BENCHMARKS.md ("## Group cache: …") as cache.json for bench/report.mjs, and prints it.
//
//   source scripts/env.sh && node scripts/bench-cache.mjs [READS] [CHANGE_EVERY]   (1000, 25)
//
// Two stacks (built worker in workerd with local KV, each with its own WAHA simulator) replay the
// same admin-console session: page views of "list the groups, open one, read its members and two
// of its settings" (5 client reads, the list not cached), round-robin over the three seeded
// groups, with a change made on a phone (the simulator's outside edit: a rename or a new member)
// every CHANGE_EVERY reads. With GROUP_CACHE on, the simulator sends its signed webhooks to the
// worker's receiver. Counted: upstream calls (what the simulator received) per 1,000 client reads,
// and reads that showed something older than the last change (must be 0). Then the latency of a
// read: answered upstream with the cache off, a cache hit, and a miss that fills the entry.
import { performance } from 'node:perf_hooks';
import os from 'node:os';
import { startStack } from '../tests/e2e/stack.mjs';
import { writeResult } from '../bench/lib.mjs';

const READS = Number(process.argv[2] ?? 1000);
const CHANGE_EVERY = Number(process.argv[3] ?? 25);
const LATENCY_N = 300;
const FRESH_SECS = 300;
const WEBHOOK_KEY = 'bench-webhook-hmac-key-0123456789';
const GROUPS = ['120363000000000001@g.us', '120363000000000002@g.us', '120363000000000003@g.us'];
const SESSION = 'console';
const HEADING = '## Group cache: upstream calls per 1,000 client reads';

const g = (id) => `/api/${SESSION}/groups/${encodeURIComponent(id)}`;
/** One console page view of group `id`: what the page reads, in order. */
const pageView = (id) => [
  { path: `/api/${SESSION}/groups?exclude=participants`, check: null },
  { path: g(id), check: 'group' },
  { path: `${g(id)}/participants/v2`, check: 'members' },
  { path: `${g(id)}/settings/security/member-add-mode`, check: null },
  { path: `${g(id)}/settings/security/membership-approval`, check: null },
];

async function upstreamCalls(stack) {
  const received = await (await fetch(`${stack.sim.url}/__sim/requests`)).json();
  return received.filter((r) => r.path.startsWith('/api/')).length;
}

async function clearUpstream(stack) {
  await fetch(`${stack.sim.url}/__sim/requests`, { method: 'DELETE' });
}

/** Makes change number `n` "on a phone"; answers what a reader must see afterwards. */
async function change(stack, n) {
  const group = GROUPS[n % GROUPS.length];
  const edit = n % 2 === 0
    ? { group, set: { subject: `Renamed ${n}` } }
    : { group, add: [`1555${String(1_000_000 + n).padStart(7, '0')}@c.us`] };
  const res = await fetch(`${stack.sim.url}/__sim/edit`, { method: 'POST', body: JSON.stringify({ session: SESSION, ...edit }) });
  if (res.status !== 200) throw new Error(`simulator edit: ${res.status} ${await res.text()}`);
  const answer = await res.json();
  if (answer.deliveries.some((s) => s !== 200)) throw new Error(`webhook refused: ${JSON.stringify(answer)}`);
  return { group, subject: edit.set?.subject, member: edit.add?.[0] };
}

/** Replays the console session on `stack`; answers {reads, upstream, outdated, hits}. */
async function consoleSession(stack) {
  await clearUpstream(stack);
  const expected = new Map(); // group id → {subject?, members: Set}
  let reads = 0;
  let changes = 0;
  let outdated = 0;
  const hits = {};
  for (let view = 0; reads < READS; view++) {
    const group = GROUPS[view % GROUPS.length];
    for (const { path, check } of pageView(group)) {
      if (reads >= READS) break;
      if (reads > 0 && reads % CHANGE_EVERY === 0) {
        const done = await change(stack, changes++);
        const want = expected.get(done.group) ?? { members: new Set() };
        if (done.subject) want.subject = done.subject;
        if (done.member) want.members.add(done.member);
        expected.set(done.group, want);
      }
      const res = await stack.call(path);
      const body = await res.json();
      if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
      const how = res.headers.get('x-groupgate-cache') ?? 'none';
      hits[how] = (hits[how] ?? 0) + 1;
      reads++;
      const want = expected.get(group);
      if (!want) continue;
      if (check === 'group' && want.subject && body.subject !== want.subject) outdated++;
      if (check === 'members' && [...want.members].some((m) => !body.some((p) => p.id === m))) outdated++;
    }
  }
  return { reads, changes, upstream: await upstreamCalls(stack), outdated, hits };
}

async function latency(stack, pathOf, headers = {}) {
  const samples = [];
  for (let i = 0; i < LATENCY_N; i++) {
    const t0 = performance.now();
    const res = await stack.call(pathOf(i), { headers });
    await res.arrayBuffer();
    samples.push(performance.now() - t0);
    if (res.status !== 200) throw new Error(`latency probe: ${res.status}`);
  }
  samples.sort((a, b) => a - b);
  const at = (q) => samples[Math.min(samples.length - 1, Math.ceil(q * samples.length) - 1)];
  return { mean: samples.reduce((s, x) => s + x, 0) / samples.length, p50: at(0.5), p95: at(0.95) };
}

async function main() {
  // captureLogs keeps the worker's log lines off the output.
  const off = await startStack({ captureLogs: true });
  const on = await startStack({ vars: { GROUP_CACHE: String(FRESH_SECS), WEBHOOK_HMAC_KEY: WEBHOOK_KEY }, captureLogs: true });
  on.sim.webhooks.configure({ url: `${on.url}/webhooks/waha`, hmacKey: WEBHOOK_KEY, retries: 0 });
  try {
    process.stderr.write('console session, cache off…\n');
    const a = await consoleSession(off);
    process.stderr.write('console session, cache on…\n');
    const b = await consoleSession(on);
    if (b.outdated || a.outdated) throw new Error(`outdated reads: off ${a.outdated}, on ${b.outdated}`);
    process.stderr.write('latency…\n');
    const upstream = await latency(off, () => g(GROUPS[0]));
    await on.call(g(GROUPS[1])).then((r) => r.arrayBuffer());
    const hit = await latency(on, () => g(GROUPS[1]));
    const miss = await latency(on, (i) => `/api/fill${i}/groups/${encodeURIComponent(GROUPS[0])}`);
    const per1000 = (x) => Math.round((x.upstream * 1000) / x.reads);
    const f = (x) => x.toFixed(2);
    const lat = (name, s) => `| ${name} | ${LATENCY_N} | ${f(s.mean)} | ${f(s.p50)} | ${f(s.p95)} |`;
    const text = `${HEADING}

What the edge group cache (\`GROUP_CACHE\`) saves an admin console, measured by
\`scripts/bench-cache.mjs\` (\`make bench\`), which writes this section's figures. Two stacks side by side
(the built worker in workerd with local KV, each with its own WAHA simulator) replay the same
console session: page views of *list the groups, open one, read its members, read two of its
settings* (5 client reads; the list is not cached), round-robin over three groups, with a change
made on a phone every ${CHANGE_EVERY} reads (alternately a rename and a new member). With the cache
on, the simulator delivers its signed \`group.v2.update\` / \`group.v2.participants\` webhooks to
\`POST /webhooks/waha\`, which edits the cached entries in place.

| ${a.reads} client reads, a change every ${CHANGE_EVERY} | cache off | cache on (\`GROUP_CACHE=${FRESH_SECS}\`) |
|---|---|---|
| upstream calls (WAHA requests) | ${a.upstream} | ${b.upstream} |
| **upstream calls per 1,000 client reads** | **${per1000(a)}** | **${per1000(b)}** |
| answers: hit / miss / not cached | – | ${b.hits.hit ?? 0} / ${b.hits.miss ?? 0} / ${b.hits.none ?? 0} |
| reads showing something older than the last change | ${a.outdated} | ${b.outdated} |

The ${b.upstream} upstream calls with the cache on are the uncached list (${b.hits.none ?? 0}) and the first
read of each entry (${b.hits.miss ?? 0}); the ${b.changes} changes arrived as webhooks and cost no read.

Latency of \`GET /api/{session}/groups/{id}\` seen by the client (ms, one request at a time):

| read | n | mean | p50 | p95 |
|---|---|---|---|---|
${lat('cache off: forwarded to the simulator', upstream)}
${lat('cache on, **hit** (one KV read, no upstream)', hit)}
${lat('cache on, miss (KV read + upstream + KV write)', miss)}

- **Added latency of a hit: ${f(hit.p50 - upstream.p50)} ms at the median** (${f(hit.p50)} ms against
  ${f(upstream.p50)} ms for a read forwarded to the simulator, which answers on loopback in about a
  millisecond). Against a real WAHA server, with a WhatsApp query behind the read, a hit is the
  faster answer by that query's time. A miss pays the KV read and the KV write (awaited before the
  answer) on top of the forwarded read: ${f(miss.p50 - upstream.p50)} ms at the median here.
- Machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), Linux, Node ${process.version};
  load average ${os.loadavg()[0].toFixed(1)} (other engineers' builds share the machine: ±20 %).
  Date: ${new Date().toISOString().slice(0, 10)}. Command: \`make bench\` (or \`node scripts/bench-cache.mjs ${READS} ${CHANGE_EVERY}\`).
`;
    writeResult('cache', { markdown: text });
    process.stdout.write(`${text}\n`);
  } finally {
    await off.close();
    await on.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
