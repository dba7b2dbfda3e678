// The benchmarked Workers and routes, shared by bench/http.mjs and bench/paired.mjs (wrk) and
// bench/profile.mjs: what each Worker is sent and the status each Worker must answer every time
// (a: baseline (a), b: baseline (b), c: baseline (c), gg: groupgate; baselines (d) and (e) are
// measured by bench/paired.mjs alone, on the list route, where they answer as (a) does).
import { GROUP_ID } from './upstream.mjs';

/** The Workers measured, by id: the five baselines and groupgate. */
export const WORKERS = {
  a: { label: 'baseline (a): JS pass-through', script: 'bench/baseline-forward.js' },
  b: { label: 'baseline (b): (a) + naive KV limiter', script: 'bench/baseline-kv.js' },
  c: { label: 'baseline (c): (a) + the runtime work of a streamed read (timeout, new response, log line)', script: 'bench/baseline-shaped.js' },
  d: { label: 'baseline (d): (c) with its decisions made by Rust through wasm', script: 'build/rust-read/index.js' },
  e: { label: "baseline (e): (d) plus groupgate's core on the read", script: 'build/rust-read-core/index.js' },
  gg: { label: 'groupgate', script: 'build/index.js' },
};

/** Adds per rotated session: under groupgate's default `LIMIT_ADD` (50 an hour), so none is refused. */
export const ADDS_PER_SESSION = 40;
/** The session whose refresh quota is spent before the runs (groupgate then refuses from memory). */
export const SPENT_SESSION = 'spent';
/** The settings groupgate runs with: one refresh an hour, so the spent session stays refused. */
export const GROUPGATE_VARS = { LIMIT_REFRESH: '1/3600' };

const ADD_PATH = `/api/{session}/groups/${GROUP_ID}/participants/add`;

/**
 * `{id, title, target?, method, path ({session} where rotated), body?, rotate?, requestIds?,
 * pairedOnly?, expect}` per route; `requestIds`: each request carries an `X-Request-Id` of its own;
 * `pairedOnly`: measured in bench/paired.mjs only.
 */
export const ROUTES = [
  { id: 'list', title: '`GET /api/default/groups` (3 groups with participants)', target: 'unlimited', method: 'GET', path: '/api/default/groups', expect: { a: 200, c: 200, gg: 200 } },
  { id: 'fresh', title: '`GET /api/default/groups`, each request with an `X-Request-Id` of its own (nothing remembered)', method: 'GET', path: '/api/default/groups', requestIds: true, pairedOnly: true, expect: { a: 200, gg: 200 } },
  { id: 'group', title: '`GET /api/default/groups/{id}`', target: 'unlimited', method: 'GET', path: `/api/default/groups/${GROUP_ID}`, expect: { a: 200, gg: 200 } },
  { id: 'add', title: '`POST …/participants/add`, one person, limited (sessions rotated)', target: 'limited', method: 'POST', path: ADD_PATH, body: '{"participants":[{"id":"15551234567@c.us"}]}', rotate: true, expect: { a: 200, b: 200, gg: 200 } },
  { id: 'refused', title: '`POST /api/spent/groups/refresh`: groupgate refuses from memory (429); baseline (a) forwards it', method: 'POST', path: `/api/${SPENT_SESSION}/groups/refresh`, expect: { a: 200, gg: 429 } },
  { id: 'invalid', title: '`POST …/participants/add` with an invalid id: groupgate answers 422; baseline (a) forwards it', method: 'POST', path: ADD_PATH.replace('{session}', 'default'), body: '{"participants":[{"id":"not-a-phone"}]}', expect: { a: 200, gg: 422 } },
];

/** The path of a route's `n`-th request, sessions named `<prefix><n / ADDS_PER_SESSION>` where rotated. */
export function pathOf(route, n, prefix = 's') {
  return route.path.replace('{session}', route.rotate ? `${prefix}${Math.floor(n / ADDS_PER_SESSION)}` : prefix);
}

/**
 * Spends SPENT_SESSION's refresh quota on a groupgate stack: from then on it refuses from memory.
 * Returns how many requests that took.
 */
export async function spendRefreshQuota(stack) {
  const statuses = [];
  for (let i = 0; i < 3; i++) {
    const answer = await stack.call(`/api/${SPENT_SESSION}/groups/refresh`, { method: 'POST' });
    await answer.arrayBuffer();
    statuses.push(answer.status);
  }
  if (statuses.join() !== '200,429,429') throw new Error(`spending the refresh quota answered ${statuses.join()}, expected 200,429,429`);
  return statuses.length;
}
