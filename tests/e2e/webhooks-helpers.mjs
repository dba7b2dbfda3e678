// Shared helpers of the webhook and group-cache end-to-end tests: a stack whose simulator sends
// its signed group.v2.* webhooks to the worker's receiver, WAHA-style signing, and one fresh
// simulator session per test (KV, and so the cache, outlives the simulator's reset).
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { client } from './proxy-helpers.mjs';
import { startStack } from './stack.mjs';

/** The key WAHA (the simulator) signs webhooks with: the worker's WEBHOOK_HMAC_KEY. */
export const WEBHOOK_KEY = 'test-webhook-hmac-key-0123456789';
/** groupgate's own key for forwarded webhooks (WEBHOOK_FORWARD_HMAC_KEY). */
export const FORWARD_KEY = 'test-forward-hmac-key-9876543210';
export const ALPHA = '120363000000000001@g.us';

let sessions = 0;
/** A session name no other test of this run uses. */
export const freshSession = () => `s${process.pid}x${++sessions}`;

/** The hex HMAC-SHA512 of `body` with `key`. */
export const sign = (body, key = WEBHOOK_KEY) => createHmac('sha512', key).update(body).digest('hex');

/**
 * Starts a stack with `vars` and points the simulator's webhooks at the worker's receiver,
 * signed with WEBHOOK_KEY (unless `vars.WEBHOOK_HMAC_KEY` is left out by `receiver: false`).
 */
export async function startWebhookStack({ vars = {}, receiver = true, ...options } = {}) {
  const stack = await startStack({
    ...options,
    vars: receiver ? { WEBHOOK_HMAC_KEY: WEBHOOK_KEY, ...vars } : vars,
  });
  if (receiver) stack.sim.webhooks.configure({ url: `${stack.url}/webhooks/waha`, hmacKey: WEBHOOK_KEY, retries: 0 });
  return { stack, gw: client(stack) };
}

/** A WAHA webhook body (text) for `event` in `session` with `payload`, sent at `now` (Unix ms). */
export function webhookBody(session, event, payload, now = Date.now()) {
  return JSON.stringify({
    id: `evt_${randomUUID()}`, timestamp: now, session, metadata: {}, engine: 'GOWS', event,
    payload: { timestamp: Math.floor(now / 1000), ...payload },
    me: { id: '15550000000@c.us' }, environment: { version: '2026.8.2', engine: 'GOWS', tier: 'CORE', browser: null },
  });
}

/** WAHA's delivery headers for `body`; `overrides` replace (or, as `undefined`, drop) any. */
export function deliveryHeaders(body, overrides = {}) {
  const headers = {
    'content-type': 'application/json',
    'x-webhook-hmac': sign(body),
    'x-webhook-hmac-algorithm': 'sha512',
    'x-webhook-request-id': `req_${randomUUID()}`,
    'x-webhook-timestamp': String(Date.now()),
    ...overrides,
  };
  return Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== undefined));
}

/** Posts a delivery to the receiver (read and kept by `gw`). */
export function deliver(gw, body, overrides = {}) {
  return gw.fetch('/webhooks/waha', { method: 'POST', headers: deliveryHeaders(body, overrides), body });
}

/** A change made "on a phone": the simulator applies it and delivers its webhooks first. */
export async function editOutside(stack, session, edit) {
  const res = await fetch(`${stack.sim.url}/__sim/edit`, { method: 'POST', body: JSON.stringify({ session, ...edit }) });
  const answer = await res.json();
  assert.equal(res.status, 200, JSON.stringify(answer));
  assert.ok(answer.deliveries.length > 0 && answer.deliveries.every((s) => s === 200), `delivered: ${JSON.stringify(answer)}`);
  return answer;
}

/** The simulator's webhook deliveries, oldest first. */
export async function deliveries(stack) {
  return (await fetch(`${stack.sim.url}/__sim/webhooks`)).json();
}

/** Waits until the simulator has no webhook delivery in flight. */
export async function flushWebhooks(stack) {
  await fetch(`${stack.sim.url}/__sim/webhooks/flush`, { method: 'POST' });
}

/** The upstream (simulator) calls of `session`'s group API since the last clear. */
export async function upstreamCalls(gw, session) {
  return (await gw.received()).filter((r) => r.path.startsWith(`/api/${session}/`));
}

/** The path of a group route of `session`. */
export const groupPath = (session, rest = '', group = ALPHA) => `/api/${session}/groups/${encodeURIComponent(group)}${rest}`;
