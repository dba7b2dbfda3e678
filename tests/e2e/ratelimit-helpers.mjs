// Helpers of the rate-limiting e2e files: requests, the simulator's record, RateLimit fields.
// `stack` is what startStack returns; a request helper takes anything with a `call` (a stack or
// one of its instances).
import assert from 'node:assert/strict';
import { UPSTREAM_KEY } from './stack.mjs';

/** A plausible, distinct user id (never ending in 403/417, which the simulator treats specially). */
export const user = (i) => `1415555${String(1000 + i).padStart(4, '0')}@c.us`;
export const people = (from, n) => Array.from({ length: n }, (_, i) => ({ id: user(from + i) }));

/** Creates a group directly on the simulator (not through the worker, so any worker can be tested). */
export async function createGroup(stack, session, members = []) {
  const res = await fetch(`${stack.sim.url}/api/${session}/groups`, {
    method: 'POST',
    headers: { 'x-api-key': UPSTREAM_KEY, 'content-type': 'application/json' },
    body: JSON.stringify({ name: `rl ${session}`, participants: members }),
  });
  assert.equal(res.status, 201, 'the simulator creates the group');
  return (await res.json()).id;
}

export const groupPath = (session, id, rest = '') => `/api/${session}/groups/${encodeURIComponent(id)}${rest}`;

export function add(stack, session, id, participants) {
  return stack.call(groupPath(session, id, '/participants/add'), { method: 'POST', body: { participants } });
}

export function remove(stack, session, id, participants) {
  return stack.call(groupPath(session, id, '/participants/remove'), { method: 'POST', body: { participants } });
}

export const refresh = (stack, session) => stack.call(`/api/${session}/groups/refresh`, { method: 'POST' });

/** Requests of `session` whose path ends with `suffix` that reached the simulator. */
export async function forwarded(stack, session, suffix) {
  const all = await stack.received();
  return all.filter((r) => r.method === 'POST' && r.path.startsWith(`/api/${session}/`) && r.path.endsWith(suffix));
}

/** Reads a response fully: status, headers, parsed body. */
export async function read(res) {
  const text = await res.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, headers: res.headers, body, requestId: res.headers.get('x-request-id') };
}

/** Parses `"add";r=3;t=600` into `{name, r, t}` (or q/w for RateLimit-Policy). */
export function field(value) {
  assert.ok(value, 'the header is present');
  const m = /^"([a-z-]+)"((?:;[a-z]=\d+)+)$/.exec(value);
  assert.ok(m, `a structured-field item with integer parameters: ${value}`);
  const out = { name: m[1] };
  for (const p of m[2].slice(1).split(';')) {
    const [k, v] = p.split('=');
    out[k] = Number(v);
  }
  return out;
}

/** Parses a list field (`"add";r=9;t=600, "add-group";r=2;t=600`) into `{add: {r, t}, 'add-group': {r, t}}`. */
export function items(value) {
  assert.ok(value, 'the header is present');
  return Object.fromEntries(value.split(', ').map((item) => {
    const { name, ...params } = field(item);
    return [name, params];
  }));
}

/** Asserts a 429 `rate_limited` problem for `cls` with every header, and returns its numbers. */
export function assertRateLimited(r, cls, { units, window, policy = `"${cls}";q=${units};w=${window}` }) {
  assert.equal(r.status, 429, JSON.stringify(r.body));
  assert.match(r.headers.get('content-type'), /^application\/problem\+json/);
  assert.equal(r.body.code, 'rate_limited');
  assert.equal(r.body.status, 429);
  const retryAfter = r.headers.get('retry-after');
  assert.match(retryAfter ?? '', /^\d+$/, 'Retry-After is delta-seconds');
  assert.ok(Number(retryAfter) >= 1 && Number(retryAfter) <= window, `Retry-After ${retryAfter} within the window`);
  assert.equal(r.headers.get('ratelimit-policy'), policy);
  const rl = field(r.headers.get('ratelimit'));
  assert.equal(rl.name, cls);
  assert.ok(rl.t >= 1 && rl.t <= window, `t=${rl.t} within the window`);
  return { retryAfter: Number(retryAfter), ...rl };
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until the simulator has received `n` requests of `session` ending with `suffix`. */
export async function untilForwarded(stack, session, suffix, n, timeoutMs = 3000) {
  const deadline = Date.now() + timeoutMs;
  while ((await forwarded(stack, session, suffix)).length < n) {
    if (Date.now() > deadline) throw new Error(`the simulator did not receive ${n} ${suffix} of ${session}`);
    await sleep(5);
  }
}

/**
 * The concurrency scenario, shared by the real worker, the naive fixture and the multi-isolate
 * stacks: `n` concurrent one-participant adds for one session, sent round-robin through `via`
 * (worker instances, each with a `call`; default the stack itself). Returns the answers and how
 * many reached the simulator.
 */
export async function concurrentAdds(stack, { session, n = 40, via = [stack] }) {
  const id = await createGroup(stack, session);
  const answers = await Promise.all(people(0, n).map((p, i) => add(via[i % via.length], session, id, [p]).then(read)));
  const reached = (await forwarded(stack, session, '/participants/add')).length;
  return { id, answers, reached };
}

/**
 * Spends the rest of a session's add quota: `sizes[i]` people added to `groups[i]` (each must be
 * admitted), then one more person to the last group, whom the session's quota must refuse
 * (`limit` as for assertRateLimited).
 */
export async function spendTheRest(stack, session, groups, sizes, limit) {
  for (const [i, g] of groups.entries()) {
    const r = await read(await add(stack, session, g, people(20 + i * 10, sizes[i])));
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
  const none = await read(await add(stack, session, groups.at(-1), people(90, 1)));
  assertRateLimited(none, 'add', limit);
}
