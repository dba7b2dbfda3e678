// POST /webhooks/waha in workerd: WAHA's HMAC verified against the raw body, forged, stale and
// malformed deliveries refused and not applied, replays applied once, verified events forwarded
// to WEBHOOK_FORWARD_URL signed with groupgate's own key.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { assertNoSecrets, assertProblem } from './proxy-helpers.mjs';
import {
  ALPHA, FORWARD_KEY, WEBHOOK_KEY, deliver, deliveries, editOutside, freshSession, groupPath, sign, startWebhookStack,
  webhookBody,
} from './webhooks-helpers.mjs';

let t;
let backend;
/** What the team's backend received: {headers, body}. */
let forwarded = [];
/** Statuses the backend answers next (then 200). */
let backendAnswers = [];

before(async () => {
  backend = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      forwarded.push({ path: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const status = backendAnswers.shift() ?? 204;
      res.writeHead(status, status === 307 ? { location: '/elsewhere' } : {}).end();
    });
  });
  await new Promise((resolve) => backend.listen(0, '127.0.0.1', resolve));
  t = await startWebhookStack({
    captureLogs: true,
    vars: {
      GROUP_CACHE: '60',
      WEBHOOK_TOLERANCE_SECS: '60',
      WEBHOOK_FORWARD_URL: `http://127.0.0.1:${backend.address().port}/from-groupgate`,
      WEBHOOK_FORWARD_HMAC_KEY: FORWARD_KEY,
    },
  });
});

after(async () => {
  assertNoSecrets(t.gw.seen);
  for (const key of [WEBHOOK_KEY, FORWARD_KEY]) {
    assert.ok(!t.gw.seen.some((r) => r.text.includes(key) || [...r.headers.values()].some((v) => v.includes(key))));
    assert.ok(!t.stack.logs.some((l) => l.message.includes(key)), 'no webhook key in the log');
  }
  await t.stack.close();
  backend.closeAllConnections();
  await new Promise((resolve) => backend.close(resolve));
});

/** The log line of the forward of the delivery `requestId` (it is written after the answer). */
async function forwardLine(requestId, timeoutMs = 3000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const line = t.stack.logs.find((l) => l.json?.webhookForward && l.json.webhookRequestId === requestId)?.json;
    if (line || Date.now() >= deadline) return line;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Waits until the backend got `n` forwarded deliveries (forwarding runs after the answer). */
async function forwardedCount(n, timeoutMs = 3000) {
  const deadline = Date.now() + timeoutMs;
  while (forwarded.length < n && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  return forwarded.length;
}

const renameBody = (session, subject) => webhookBody(session, 'group.v2.update', { group: { id: ALPHA, subject } });

async function cachedSubject(session) {
  const res = await t.gw.call(groupPath(session));
  assert.equal(res.headers.get('x-groupgate-cache'), 'hit', 'still answered from the cache');
  return res.json.subject;
}

test('a verified delivery is applied, answered 200 and forwarded signed with groupgate\'s key', async () => {
  const session = freshSession();
  assert.equal((await t.gw.call(groupPath(session))).headers.get('x-groupgate-cache'), 'miss');
  forwarded = [];
  const body = renameBody(session, 'Verified rename');
  const requestId = `req_verified_${session}`;
  const res = await deliver(t.gw, body, { 'x-webhook-request-id': requestId });
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.json, { status: 'applied', event: 'group.v2.update', entries: 1 });
  assert.equal(await cachedSubject(session), 'Verified rename');
  assert.equal(await forwardedCount(1), 1);
  const [copy] = forwarded;
  assert.equal(copy.body, body, 'the raw body, unchanged');
  assert.equal(copy.headers['x-webhook-hmac'], sign(body, FORWARD_KEY), 'signed with groupgate\'s own key');
  assert.notEqual(copy.headers['x-webhook-hmac'], sign(body, WEBHOOK_KEY));
  assert.equal(copy.headers['x-webhook-hmac-algorithm'], 'sha512');
  assert.equal(copy.headers['x-webhook-request-id'], requestId);
  assert.ok(Math.abs(Number(copy.headers['x-webhook-timestamp']) - Date.now()) < 5000);
});

test('an event older than one already applied to its group drops the group\'s entries instead of putting older state back', async () => {
  // WAHA retries a delivery it could not make (a 503) with the same signed body, so an older event
  // can arrive after a newer one; each is ordered by its signed timestamp.
  const session = freshSession();
  const now = Date.now();
  const at = (event, group, ms) => webhookBody(session, event, { group: { id: ALPHA, ...group } }, ms);
  const applied = async (body, entries) => {
    const res = await deliver(t.gw, body);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.entries, entries, res.text);
  };
  const readAfresh = async () => {
    const res = await t.gw.call(groupPath(session));
    assert.equal(res.headers.get('x-groupgate-cache'), 'miss', 'the entry was dropped: read from the upstream');
    assert.equal(res.json.subject, 'Alpha Team', res.text);
  };

  await t.gw.call(groupPath(session));
  await applied(at('group.v2.update', { subject: 'Newer' }, now), 1);
  assert.equal(await cachedSubject(session), 'Newer');
  await applied(at('group.v2.update', { subject: 'Older' }, now - 5000), 9);
  await readAfresh();

  // Leaving drops the group; a join from before the leave, delivered late, does not bring it back.
  await applied(at('group.v2.leave', {}, now + 1000), 9);
  await applied(at('group.v2.join', { subject: 'From before the leave' }, now - 1000), 9);
  await readAfresh();

  // Events at or after the newest applied one are applied as usual.
  await applied(at('group.v2.update', { subject: 'In order' }, now + 1000), 1);
  assert.equal(await cachedSubject(session), 'In order');

  // Delivered at once, they take turns: whichever goes first, the older state never stays.
  for (let round = 0; round < 5; round += 1) {
    const base = now + 2000 + round * 10;
    const answers = await Promise.all([
      deliver(t.gw, at('group.v2.update', { subject: `Older ${round}` }, base)),
      deliver(t.gw, at('group.v2.update', { subject: `Newer ${round}` }, base + 1)),
    ]);
    assert.deepEqual(answers.map((res) => res.status), [200, 200]);
    const res = await t.gw.call(groupPath(session));
    const cache = res.headers.get('x-groupgate-cache');
    assert.ok(cache === 'miss' || res.json.subject === `Newer ${round}`, `${cache}: ${res.text}`);
  }
});

test('a forged webhook is refused with 401, applied nowhere and forwarded nowhere', async () => {
  const session = freshSession();
  await t.gw.call(groupPath(session));
  forwarded = [];
  const body = renameBody(session, 'Forged');
  const forgeries = [
    ['wrong key', { 'x-webhook-hmac': sign(body, 'an-attacker-guessed-key-0000') }],
    ['missing signature', { 'x-webhook-hmac': undefined }],
    ['truncated', { 'x-webhook-hmac': sign(body).slice(0, 64) }],
    ['signature of another body', { 'x-webhook-hmac': sign(renameBody(session, 'Other')) }],
  ];
  for (const [why, headers] of forgeries) {
    const res = await deliver(t.gw, body, headers);
    const problem = assertProblem(res, 401, 'invalid_signature');
    assert.match(problem.detail, /^X-Webhook-Hmac: /, why);
  }
  assert.equal(await cachedSubject(session), 'Alpha Team', 'no forged change reached the cache');
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.deepEqual(forwarded, []);
});

test('an unsupported algorithm is 400; a stale timestamp, in the header or the signed body, is 401', async () => {
  const session = freshSession();
  await t.gw.call(groupPath(session));
  const body = renameBody(session, 'Too late');
  assertProblem(await deliver(t.gw, body, { 'x-webhook-hmac-algorithm': 'sha256' }), 400, 'unsupported_algorithm');
  const old = String(Date.now() - 61_000);
  const stale = assertProblem(await deliver(t.gw, body, { 'x-webhook-timestamp': old }), 401, 'invalid_signature');
  assert.match(stale.detail, /^X-Webhook-Timestamp: .*at most 60 s/);
  // A captured body re-sent with a fresh (unsigned) header timestamp: its signed timestamp is old.
  const captured = JSON.parse(body);
  captured.timestamp = Date.now() - 61_000;
  const replayed = JSON.stringify(captured);
  const problem = assertProblem(await deliver(t.gw, replayed, { 'x-webhook-hmac': sign(replayed) }), 401, 'invalid_signature');
  assert.match(problem.detail, /^timestamp \(in the body\)/);
  assert.equal(await cachedSubject(session), 'Alpha Team');
});

test('a replayed delivery is answered 200 and applied once', async () => {
  const session = freshSession();
  const person = '15550000044@c.us';
  assert.equal((await t.gw.call(groupPath(session, '/participants/v2'))).headers.get('x-groupgate-cache'), 'miss');
  forwarded = [];
  await editOutside(t.stack, session, { group: ALPHA, add: [person] });
  await editOutside(t.stack, session, { group: ALPHA, remove: [person] });
  const sent = (await deliveries(t.stack)).filter((d) => d.session === session);
  assert.deepEqual(sent.map((d) => JSON.parse(d.body).payload.type), ['join', 'leave']);
  const role = async () => {
    const v2 = await t.gw.call(groupPath(session, '/participants/v2'));
    assert.equal(v2.headers.get('x-groupgate-cache'), 'hit');
    return v2.json.find((p) => p.id === person)?.role;
  };
  assert.equal(await role(), 'left', 'both deliveries applied in order');
  assert.equal(await forwardedCount(2), 2, 'the join and the leave were forwarded');
  // WAHA delivers at least once: the join arrives again, same request id and body.
  const [join] = sent;
  for (let i = 0; i < 2; i++) {
    const again = await t.gw.fetch('/webhooks/waha', { method: 'POST', headers: join.headers, body: join.body });
    assert.equal(again.status, 200, again.text);
    assert.deepEqual(again.json, { status: 'duplicate', event: 'group.v2.participants' });
    assert.equal((await t.stack.logLine(again.headers.get('x-request-id'))).cache, 'duplicate');
  }
  // A captured join re-sent under a new X-Webhook-Request-Id (that header is not signed): the
  // signed body's id says it was applied.
  for (let i = 0; i < 2; i++) {
    const headers = Object.fromEntries(Object.entries(join.headers)
      .map(([name, value]) => [name, name.toLowerCase() === 'x-webhook-request-id' ? `req_replayed_${i}` : value]));
    assert.ok(Object.values(headers).includes(`req_replayed_${i}`), 'the request id was replaced');
    const again = await t.gw.fetch('/webhooks/waha', { method: 'POST', headers, body: join.body });
    assert.equal(again.status, 200, again.text);
    assert.deepEqual(again.json, { status: 'duplicate', event: 'group.v2.participants' });
  }
  assert.equal(await role(), 'left', 'the replayed join was not applied again');
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(forwarded.length, 2, 'nor forwarded again');
});

test('two copies of one event arriving together in one isolate: one applied and forwarded, the other a duplicate', async () => {
  // Other deliveries for the group keep its entries busy, so both copies are in flight at once.
  const session = freshSession();
  await t.gw.call(groupPath(session));
  forwarded = [];
  const rounds = 5;
  for (let round = 0; round < rounds; round += 1) {
    const body = renameBody(session, `Once ${round}`);
    const others = Array.from({ length: 6 }, (_, k) => webhookBody(session, 'group.v2.update', { group: { id: ALPHA, description: `d${round}-${k}` } }));
    const copy = () => deliver(t.gw, body, { 'x-webhook-request-id': `req_copy_${session}_${round}` });
    const answers = await Promise.all([...others.map((other) => deliver(t.gw, other)), copy(), copy()]);
    assert.ok(answers.every((res) => res.status === 200), answers.map((res) => res.text).join('\n'));
    assert.deepEqual(answers.slice(-2).map((res) => res.json.status).sort(), ['applied', 'duplicate'], `round ${round}`);
  }
  await forwardedCount(rounds * 7);
  await new Promise((resolve) => setTimeout(resolve, 200));
  const copies = forwarded.filter((f) => f.headers['x-webhook-request-id'].startsWith(`req_copy_${session}`));
  assert.equal(copies.length, rounds, 'each event forwarded once');
});

test('bad JSON, a body that is no webhook, an unknown event and a missing request id are refused and change nothing', async () => {
  const session = freshSession();
  await t.gw.call(groupPath(session));
  forwarded = [];
  const cases = [
    ['{"event": "group.v2.update", ', 400, 'invalid_json'],
    ['{"hello": "world"}', 422, 'invalid_type'],
    [webhookBody(session, 'message', { body: 'hi' }), 422, 'unknown_event'],
    [webhookBody(session, 'group.v2.update', { group: { subject: 'No id' } }), 422, 'invalid_type'],
  ];
  for (const [body, status, code] of cases) {
    const problem = assertProblem(await deliver(t.gw, body), status, code);
    assert.ok(problem.detail.length > 10, problem.detail);
  }
  const noId = assertProblem(await deliver(t.gw, renameBody(session, 'No id'), { 'x-webhook-request-id': undefined }), 422, 'validation_failed', [
    { parameter: 'X-Webhook-Request-Id', code: 'invalid_parameter' },
  ]);
  assert.match(noId.detail, /X-Webhook-Request-Id/);
  assert.equal(await cachedSubject(session), 'Alpha Team');
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.deepEqual(forwarded, []);
});

/**
 * Delivers a rename in a fresh session while the backend answers its forward with `status`, and
 * checks the forward is logged as failed with it; the session.
 */
async function deliverForwardedAs(status, subject) {
  const session = freshSession();
  await t.gw.call(groupPath(session));
  forwarded = [];
  backendAnswers = [status];
  const requestId = `req_forward_${status}_${session}`;
  const res = await deliver(t.gw, renameBody(session, subject), { 'x-webhook-request-id': requestId });
  assert.equal(res.status, 200, res.text);
  const line = await forwardLine(requestId);
  assert.deepEqual(line, { webhookForward: 'failed', webhookRequestId: requestId, status });
  return session;
}

test('a failed forward is logged and the cache update is kept', async () => {
  const session = await deliverForwardedAs(500, 'Kept anyway');
  assert.equal(forwarded.length, 1);
  assert.equal(await cachedSubject(session), 'Kept anyway');
});

test('a forward answered with a redirect is not followed: the signed event goes to the configured URL only', async () => {
  await deliverForwardedAs(307, 'Not redirected');
  assert.deepEqual(forwarded.map((f) => f.path), ['/from-groupgate'], 'nothing sent to the redirect target');
});

test('the receiver takes POST only, and nothing else lives under /webhooks/', async () => {
  const get = await t.gw.fetch('/webhooks/waha');
  assertProblem(get, 405, 'method_not_allowed');
  assert.equal(get.headers.get('allow'), 'POST');
  assertProblem(await t.gw.fetch('/webhooks/wadial', { method: 'POST', body: '{}' }), 404, 'not_found');
});
