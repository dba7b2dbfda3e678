#!/usr/bin/env node
// The soak (not a test; `make soak` runs it through scripts/soak.sh): the built worker in workerd
// (Miniflare, port 0, loopback) in front of the WAHA simulator, and SOAK_CLIENTS concurrent
// clients sending mixed traffic for SOAK_SECONDS: valid reads and writes; invalid requests (400,
// 404, 405, 413, 415, 422); adds and refreshes past small quotas (429); bad keys (401, 403); and
// one client injecting the upstream faults of tests/e2e/upstream-fault-table.mjs (all but the
// refused connection, which would fail every client) into its own session, each answered by its
// documented problem. Every request has the answers it may get; anything else is counted.
//
// Checked at the end: no 5xx but the fault client's documented ones, no unexpected answer, and no
// quota exceeded — the adds and refreshes the simulator received, per session, never more units
// in any window than the quota (the window shortened by WINDOW_SLACK_MS: the worker decides a
// moment before the simulator records). The workerd process's RSS is read at start and end.
// Writes the `soak` section of SECURITY.md; exits 1 when a check fails.
import os from 'node:os';
import { readFileSync, readdirSync } from 'node:fs';
import { startStack, CLIENT_KEY, READ_KEY, SALES_KEY } from '../tests/e2e/stack.mjs';
import { UPSTREAM_FAULTS } from '../tests/e2e/upstream-fault-table.mjs';
import { writeSecuritySection } from './security-section.mjs';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 180);
const CLIENTS = Number(process.env.SOAK_CLIENTS ?? 6);
/** Small quotas, so that the soak refuses many adds and refreshes. */
const QUOTAS = { add: { units: 10, windowMs: 20_000 }, refresh: { units: 2, windowMs: 20_000 } };
const WINDOW_SLACK_MS = 1000;
/**
 * Longer than the end-to-end test's: under the soak's load, reading an answer just over the size
 * cap can take more than a second, and that row must still be refused for its size.
 */
const UPSTREAM_TIMEOUT_MS = 4000;
/** No request of the soak waits longer than this for its answer (it then fails the soak). */
const REQUEST_TIMEOUT_MS = 30_000;
const ALPHA = '120363000000000001@g.us';
const FAULT_SESSION = 'soakfaults';
/** Faults the fault client injects: every row but the refused connection. */
const FAULT_ROWS = UPSTREAM_FAULTS.filter((row) => row.inject);

if (!Number.isInteger(SECONDS) || SECONDS < 1 || !Number.isInteger(CLIENTS) || CLIENTS < 1 || CLIENTS > 64) {
  throw new Error('SOAK_SECONDS must be a whole number of seconds (at least 1), SOAK_CLIENTS one from 1 to 64');
}
const say = (line) => process.stderr.write(`${line}\n`);

/** RSS (kB) of the workerd process this process started. */
function workerdRssKb() {
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    let stat;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    const [, comm, rest] = stat.match(/^\d+ \((.*)\) (.*)$/s);
    const ppid = Number(rest.split(' ')[1]);
    if (comm === 'workerd' && ppid === process.pid) {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      return Number(status.match(/^VmRSS:\s+(\d+) kB/m)[1]);
    }
  }
  throw new Error('no workerd child process found');
}

/**
 * One kind of request: `make(client)` gives `[session, path, init]`; `expect` lists the statuses it
 * may be answered with.
 */
const json = (body) => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const REQUESTS = [
  { name: 'read a group', weight: 6, expect: [200], make: (c) => [c.session, `/groups/${ALPHA}`] },
  { name: 'count groups', weight: 3, expect: [200], make: (c) => [c.session, '/groups/count'] },
  { name: 'list groups', weight: 3, expect: [200], make: (c) => [c.session, '/groups?limit=2&exclude=participants'] },
  {
    name: 'set a subject', weight: 3, expect: [200],
    make: (c) => [c.session, `/groups/${ALPHA}/subject`, { method: 'PUT', ...json({ subject: `soak ${c.sent}` }) }],
  },
  {
    name: 'add a person', weight: 4, expect: [201, 429],
    make: (c) => [c.quotaSession(), `/groups/${ALPHA}/participants/add`, { method: 'POST', ...json({ participants: [{ id: c.newPerson() }] }) }],
  },
  { name: 'refresh', weight: 2, expect: [201, 429], make: (c) => [c.quotaSession(), '/groups/refresh', { method: 'POST' }] },
  {
    name: 'add nobody (422)', weight: 1, expect: [422],
    make: (c) => [c.session, `/groups/${ALPHA}/participants/add`, { method: 'POST', ...json({ participants: [] }) }],
  },
  {
    name: 'broken JSON (400)', weight: 1, expect: [400],
    make: (c) => [c.session, `/groups/${ALPHA}/subject`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"subject": ' }],
  },
  { name: 'no such route (404)', weight: 1, expect: [404], make: (c) => [c.session, '/groups/nothing/here/at/all'] },
  { name: 'wrong method (405)', weight: 1, expect: [405], make: (c) => [c.session, '/groups/count', { method: 'DELETE' }] },
  {
    name: 'too large (413)', weight: 0.1, expect: [413],
    make: (c) => [c.session, `/groups/${ALPHA}/description`, { method: 'PUT', ...json({ description: 'x'.repeat(3.2 * 1024 * 1024) }) }],
  },
  {
    name: 'not JSON (415)', weight: 1, expect: [415],
    make: (c) => [c.session, `/groups/${ALPHA}/subject`, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: 'soak' }],
  },
  { name: 'wrong key (401)', weight: 1, expect: [401], make: (c) => [c.session, '/groups/count', { key: 'not-a-key-of-this-gateway' }] },
  { name: 'key of another session (403)', weight: 1, expect: [403], make: (c) => [c.session, '/groups/count', { key: SALES_KEY }] },
  {
    name: 'read-only key writing (403)', weight: 1, expect: [403],
    make: (c) => [c.session, `/groups/${ALPHA}/subject`, { method: 'PUT', key: READ_KEY, ...json({ subject: 'no' }) }],
  },
];
const TOTAL_WEIGHT = REQUESTS.reduce((sum, r) => sum + r.weight, 0);

function pick() {
  let at = Math.random() * TOTAL_WEIGHT;
  return REQUESTS.find((r) => (at -= r.weight) < 0) ?? REQUESTS[0];
}

/** The tallies every client adds to. */
const tally = { requests: 0, statuses: {}, unexpected: [], undocumented5xx: [], faults: 0 };

/** Counts one answer; `expected` lists the statuses it may have (`codeAsExpected`: its problem code). */
function count(status, expected, what, codeAsExpected = true) {
  tally.requests += 1;
  tally.statuses[status] = (tally.statuses[status] ?? 0) + 1;
  if (expected.includes(status) && codeAsExpected) return;
  const line = `${what}: ${status}, expected ${expected.join(' or ')}${codeAsExpected ? '' : ' with its documented code'}`;
  if (tally.unexpected.length < 20) tally.unexpected.push(line);
  if (status >= 500) tally.undocumented5xx.push(line);
}

async function send(stack, session, path, { key = CLIENT_KEY, ...init } = {}) {
  const headers = { 'x-api-key': key, ...init.headers };
  const res = await fetch(`${stack.url}/api/${session}${path}`, { ...init, headers, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  // A body that breaks off (a streamed answer whose upstream failed mid-body) reads as `null`.
  const text = await res.text().catch(() => null);
  return { status: res.status, text };
}

/** A traffic client: its own session, plus a session shared by all clients for quotas. */
async function trafficClient(stack, index, deadline) {
  let people = 0;
  const c = {
    session: `soak${index}`,
    sent: 0,
    quotaSession: () => (Math.random() < 0.5 ? 'soakshared' : `soak${index}`),
    newPerson: () => `1555${String(index).padStart(2, '0')}${String(++people).padStart(5, '0')}@c.us`,
  };
  while (Date.now() < deadline) {
    const kind = pick();
    c.sent += 1;
    const [session, path, init] = kind.make(c);
    const { status, text } = await send(stack, session, path, init);
    count(status, kind.expect, kind.name, text !== null);
  }
}

/** The fault client: one fault at a time into its own session, each answered as documented. */
async function faultClient(stack, deadline) {
  for (let i = 0; Date.now() < deadline; i += 1) {
    const row = FAULT_ROWS[i % FAULT_ROWS.length];
    const inject = { ...row.inject, times: 1, match: `/api/${FAULT_SESSION}/` };
    const set = await fetch(`${stack.sim.url}/__sim/faults`, { method: 'POST', body: JSON.stringify(inject) });
    if (set.status !== 200) throw new Error(`simulator refused the fault ${JSON.stringify(inject)}: ${await set.text()}`);
    const { status, text } = await send(stack, FAULT_SESSION, `/groups/${ALPHA}`);
    tally.faults += 1;
    if (row.passed) {
      // Sound JSON of another shape: passed on as sent.
      count(status, [200], `passed fault "${row.fault}"`, text === row.inject.answerJson);
    } else if (row.streamed) {
      // The answer streams through (UPSTREAM_ANSWER_CHECK=headers): 200, then the body as the row says.
      const whole = text !== null && (() => {
        try {
          JSON.parse(text);
          return true;
        } catch {
          return false;
        }
      })();
      const asRowSays = row.streamed === 'cut' ? !whole : whole || (row.inject.garbage && text !== null);
      count(status, [200], `streamed fault "${row.fault}"`, asRowSays);
    } else {
      const code = (() => {
        try {
          return JSON.parse(text).code;
        } catch {
          return undefined;
        }
      })();
      count(status, [row.status], `fault "${row.fault}" (answered ${code})`, code === row.code);
    }
    // The next request of this session is answered normally.
    const next = await send(stack, FAULT_SESSION, `/groups/${ALPHA}`);
    count(next.status, [200], `read after fault "${row.fault}"`);
  }
}

/** The most units of `cls` the simulator received for one session within any window. */
function peakUnits(received, cls) {
  const { windowMs } = QUOTAS[cls];
  const span = windowMs - WINDOW_SLACK_MS;
  const match = cls === 'add' ? /^\/api\/([^/]+)\/groups\/[^/]+\/participants\/add$/ : /^\/api\/([^/]+)\/groups\/refresh$/;
  const bySession = new Map();
  for (const r of received) {
    const found = r.method === 'POST' && r.path.match(match);
    if (!found) continue;
    const units = cls === 'add' ? JSON.parse(r.body).participants.length : 1;
    if (!bySession.has(found[1])) bySession.set(found[1], []);
    bySession.get(found[1]).push({ at: r.at, units });
  }
  let peak = { units: 0, session: undefined, sessions: bySession.size, received: 0 };
  for (const [session, list] of bySession) {
    peak.received += list.length;
    for (const end of list) {
      const units = list.filter((e) => e.at <= end.at && e.at > end.at - span).reduce((s, e) => s + e.units, 0);
      if (units > peak.units) peak = { ...peak, units, session };
    }
  }
  return peak;
}

function machine() {
  const cpus = os.cpus();
  return `${cpus[0]?.model ?? 'unknown CPU'} × ${cpus.length}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.type()} ${os.release()}, Node ${process.versions.node}`;
}

async function main() {
  const limits = Object.fromEntries(Object.entries(QUOTAS).map(([cls, q]) => [`LIMIT_${cls.toUpperCase()}`, `${q.units}/${q.windowMs / 1000}`]));
  // Log lines are captured (not printed) and dropped every few seconds: only the answers count here.
  const stack = await startStack({ vars: { ...limits, UPSTREAM_TIMEOUT_MS: String(UPSTREAM_TIMEOUT_MS) }, captureLogs: true });
  try {
    await send(stack, 'soak0', '/groups/count');
    const rssStart = workerdRssKb();
    say(`soak: ${CLIENTS} clients + 1 fault client for ${SECONDS} s against ${stack.url} (workerd RSS ${rssStart} kB)`);
    const started = Date.now();
    const deadline = started + SECONDS * 1000;
    let ticks = 0;
    const rssSamples = [];
    const progress = setInterval(() => {
      stack.logs.length = 0;
      if (++ticks % 6 !== 0) return;
      rssSamples.push(workerdRssKb());
      say(`soak: ${tally.requests} requests, ${Math.round((Date.now() - started) / 1000)} s, workerd RSS ${rssSamples.at(-1)} kB`);
    }, 5_000);
    await Promise.all([
      ...Array.from({ length: CLIENTS }, (_, i) => trafficClient(stack, i + 1, deadline)),
      faultClient(stack, deadline),
    ]);
    clearInterval(progress);
    const seconds = (Date.now() - started) / 1000;
    const rssEnd = workerdRssKb();
    const received = await stack.received();
    const peaks = Object.fromEntries(Object.keys(QUOTAS).map((cls) => [cls, peakUnits(received, cls)]));
    const exceeded = Object.entries(peaks).filter(([cls, peak]) => peak.units > QUOTAS[cls].units);
    const report = { seconds, clients: CLIENTS, ...tally, peaks, exceeded: exceeded.map(([cls]) => cls), rssStart, rssSamples, rssEnd };
    console.log(JSON.stringify(report, null, 2));
    writeSecuritySection('soak', render(report));
    const failed = tally.undocumented5xx.length > 0 || tally.unexpected.length > 0 || exceeded.length > 0;
    if (failed) say('soak: FAILED (see unexpected, undocumented5xx and exceeded above)');
    return failed ? 1 : 0;
  } finally {
    await stack.close();
  }
}

const mib = (kb) => (kb / 1024).toFixed(0);

function render(r) {
  const statuses = Object.entries(r.statuses).sort(([a], [b]) => String(a).localeCompare(String(b)))
    .map(([status, n]) => `${status}: ${n}`).join(', ');
  const limitRows = Object.entries(r.peaks).map(([cls, p]) => {
    const q = QUOTAS[cls];
    return `| \`${cls}\` | ${q.units} per ${q.windowMs / 1000} s | ${p.received} in ${p.sessions} sessions | ${p.units} | ${p.units <= q.units ? 'never exceeded' : '**exceeded**'} |`;
  });
  return `
Written by \`make soak\` (\`scripts/soak.sh\`): the release worker in workerd (Miniflare, local KV,
\`RATE_LIMIT_BACKEND=kv\`) in front of the simulator on loopback; ${r.clients} clients send mixed
traffic (reads, writes, adds and refreshes past the quotas below, invalid requests, bad keys), half
of the adds and refreshes into one session they all share, while a fault client injects every fault
of the table above but the refused connection into its own session. Every request has the answers
it may get; the limits are checked against what the simulator received, in every window (shortened
by ${WINDOW_SLACK_MS / 1000} s: the worker decides a moment before the simulator records).

- Run: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${machine()}
- Duration: ${r.seconds.toFixed(0)} s, ${r.clients} traffic clients + 1 fault client
- Requests: ${r.requests} (${(r.requests / r.seconds).toFixed(0)} per second), ${r.faults} of them with an injected fault
- Answers by status: ${statuses}
- Unexpected answers: ${r.unexpected.length}; undocumented 5xx: ${r.undocumented5xx.length}
- workerd RSS (the whole local runtime process: Miniflare's workerd with its KV, not the isolate
  alone): ${mib(r.rssStart)} MiB at start, every 30 s ${r.rssSamples.map(mib).join(', ')} MiB, ${mib(r.rssEnd)} MiB at the end

| quota | limit | received by the simulator | most units in one window | verdict |
| --- | --- | --- | --- | --- |
${limitRows.join('\n')}
`;
}

process.exitCode = await main();
