// Shared helpers of the edge-proxy end-to-end tests (routes, rejections, auth, cors,
// upstream-faults, idempotency, logs): response capture, simulator control, problem checks,
// secret scanning and the contract's route list.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, beforeEach } from 'node:test';
import { startStack, CLIENT_KEY, SALES_KEY, READ_KEY, UPSTREAM_KEY } from './stack.mjs';

/** Seed groups of the simulator (see sim/groups.mjs). */
export const ALPHA = '120363000000000001@g.us'; // me superadmin, members may add
export const BETA = '120363000000000002@g.us'; // me superadmin, approval required, 2 join requests
export const GAMMA = '120363000000000003@g.us'; // me plain participant, info admin-only
export const ALPHA_CODE = 'AlphaInviteCode0000001';
export const GAMMA_CODE = 'GammaInviteCode0000003';

/** Every secret the gateway knows: none may ever appear in a response. */
export const SECRETS = [UPSTREAM_KEY, CLIENT_KEY, SALES_KEY, READ_KEY];

/** WAHA's groups routes (row, method, path template), kept in the repository as a fixture. */
export const WAHA_ROUTES = fileURLToPath(new URL('../fixtures/waha-routes.tsv', import.meta.url));

/** Every `{row, method, template}` pair of WAHA's groups routes, in the fixture's order. */
export function contractRoutes() {
  const lines = readFileSync(WAHA_ROUTES, 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).slice(1);
  return lines.map((line) => {
    const [row, method, template] = line.split('\t');
    assert.match(template, /^\/groups/, `row ${row}: path ${template}`);
    return { row, method, template };
  });
}

/**
 * Wraps a stack so that every worker response is read once and kept (status, headers, text,
 * parsed JSON) for the secret scan at the end of each file.
 */
/**
 * Starts a stack (`startStack(options)`; `options` may be an async function returning them) for
 * the enclosing file or `describe` block and closes it after; returns a handle whose `stack` and `gw` (a `client`) are set once it has started. Before
 * each test the simulator is reset (`each: 'reset'`), only its record cleared (`'clear'`), or left
 * alone (`null`).
 */
export function useStack(options = {}, { each = 'reset' } = {}) {
  const handle = { stack: undefined, gw: undefined };
  before(async () => {
    handle.stack = await startStack(typeof options === 'function' ? await options() : options);
    handle.gw = client(handle.stack);
  });
  after(() => handle.stack?.close());
  if (each) beforeEach(() => (each === 'clear' ? handle.gw.clearReceived() : handle.gw.reset()));
  return handle;
}

export function client(stack) {
  const seen = [];
  const keep = async (res) => {
    const text = await res.text();
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const out = { status: res.status, headers: res.headers, text, json };
    seen.push(out);
    return out;
  };
  return {
    seen,
    /**
     * Like `stack.call` (client key unless `headers` say otherwise; an object body is sent as
     * JSON), read and kept; a header given as `undefined` is left out (`'x-api-key': undefined`).
     */
    async call(path, { method = 'GET', body, headers = {} } = {}) {
      const h = Object.fromEntries(
        Object.entries({ 'x-api-key': CLIENT_KEY, ...headers }).filter(([, v]) => v !== undefined),
      );
      if (body !== undefined && typeof body !== 'string') h['content-type'] ??= 'application/json';
      const payload = body === undefined || typeof body === 'string' ? body : JSON.stringify(body);
      return keep(await fetch(stack.url + path, { method, headers: h, body: payload }));
    },
    /** A raw fetch of a worker path (no default key), read and kept. */
    async fetch(path, init = {}) {
      return keep(await fetch(stack.url + path, init));
    },
    /** Simulator control: empties its state (sessions, record, faults). */
    async reset() {
      const res = await fetch(`${stack.sim.url}/__sim/reset`, { method: 'POST' });
      assert.equal(res.status, 200);
    },
    /** The simulator's groups of `session`. */
    async state(session = 'default') {
      return (await fetch(`${stack.sim.url}/__sim/state?session=${session}`)).json();
    },
    /** Injects simulator faults (one spec or a list). */
    async fault(spec) {
      const res = await fetch(`${stack.sim.url}/__sim/faults`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spec),
      });
      assert.equal(res.status, 200, await res.text());
    },
    /** Stops the simulator listening for `ms` (connections refused), from once this resolves. */
    async outage(ms) {
      const res = await fetch(`${stack.sim.url}/__sim/outage`, { method: 'POST', body: JSON.stringify({ ms }) });
      assert.equal(res.status, 200, await res.text());
      await untilRefused(stack.sim.url);
    },
    /** Waits (up to 10 s) until the simulator listens again after an outage. */
    async waitListening() {
      for (const deadline = Date.now() + 10_000; Date.now() < deadline; await pause(20)) {
        if (await fetch(`${stack.sim.url}/__sim/faults`).then(() => true, () => false)) return;
      }
      throw new Error('the simulator did not listen again within 10 s');
    },
    received: () => stack.received(),
    clearReceived: () => stack.clearReceived(),
  };
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits (up to 5 s) until connections to `url` are refused. */
async function untilRefused(url) {
  for (const deadline = Date.now() + 5000; Date.now() < deadline; await pause(10)) {
    if (await fetch(`${url}/__sim/faults`).then(() => false, () => true)) return;
  }
  throw new Error(`${url} still accepts connections`);
}

/**
 * Asserts `res` is an RFC 9457 problem with `status` and `code`; `errors` (optional) lists
 * `{pointer|parameter, code}` that must be among the field errors. Returns the problem.
 */
export function assertProblem(res, status, code, errors = []) {
  assert.equal(res.status, status, `status (body: ${res.text.slice(0, 500)})`);
  assert.equal(res.headers.get('content-type'), 'application/problem+json');
  const p = res.json;
  assert.ok(p, `problem body must be JSON: ${res.text}`);
  assert.equal(p.status, status);
  assert.equal(p.code, code, res.text);
  assert.equal(p.type, `urn:groupgate:problem:${code}`);
  assert.equal(typeof p.title, 'string');
  assert.equal(typeof p.detail, 'string');
  assert.equal(p.requestId, res.headers.get('x-request-id'), 'the problem quotes the request id');
  for (const want of errors) {
    const found = (p.errors ?? []).find((e) => e.code === want.code
      && ('pointer' in want ? e.pointer === want.pointer : e.parameter === want.parameter));
    assert.ok(found, `expected field error ${JSON.stringify(want)} in ${JSON.stringify(p.errors)}`);
    assert.equal(typeof found.detail, 'string');
  }
  return p;
}

/** Asserts no secret appears in any kept response (body or any header). */
export function assertNoSecrets(seen) {
  assert.ok(seen.length > 0, 'responses were kept');
  for (const res of seen) {
    const headers = [...res.headers].map(([k, v]) => `${k}: ${v}`).join('\n');
    for (const secret of SECRETS) {
      assert.ok(!res.text.includes(secret), `a secret leaked in a ${res.status} body: ${res.text.slice(0, 200)}`);
      assert.ok(!headers.includes(secret), `a secret leaked in the headers of a ${res.status}: ${headers}`);
    }
  }
}

/** The generated request id shape (a random UUID). */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The peak resident memory (VmHWM, bytes) of the workerd processes this test process started. */
export function peakMemoryOfWorkerd() {
  let peak = 0;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      if (!/^Name:\s*workerd$/m.test(status) || !new RegExp(`^PPid:\\s*${process.pid}$`, 'm').test(status)) continue;
      peak = Math.max(peak, Number(/^VmHWM:\s*(\d+) kB$/m.exec(status)[1]) * 1024);
    } catch {
      // The process ended while it was read.
    }
  }
  assert.ok(peak > 0, 'a workerd process of this test');
  return peak;
}
