// The group cache in workerd's KV (GROUP_CACHE): hits with zero upstream calls, invalidation by
// writes through the gateway and by the simulator's signed webhooks, bypass, session isolation,
// stale answers when the upstream fails.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator } from '../../sim/waha-sim.mjs';
import { SALES_KEY, UPSTREAM_KEY, startStack } from './stack.mjs';
import { assertNoSecrets, assertProblem, client } from './proxy-helpers.mjs';
import {
  ALPHA, FORWARD_KEY, WEBHOOK_KEY, editOutside, flushWebhooks, freshSession, groupPath, startWebhookStack, upstreamCalls,
} from './webhooks-helpers.mjs';

/** The nine cached reads of a group. */
const READS = [
  '', '/participants', '/participants/v2', '/invite-code',
  ...['info-admin-only', 'messages-admin-only', 'member-add-mode', 'member-share-history-mode', 'membership-approval']
    .map((s) => `/settings/security/${s}`),
];

function assertCache(res, how) {
  assert.equal(res.status, 200, res.text);
  assert.equal(res.headers.get('x-groupgate-cache'), how, `${how}: ${res.text}`);
  assert.match(res.headers.get('age') ?? '', /^\d+$/, 'Age is set');
}

describe('GROUP_CACHE=60', () => {
  let t;
  before(async () => {
    t = await startWebhookStack({ vars: { GROUP_CACHE: '60' }, captureLogs: true });
  });
  after(async () => {
    assertNoSecrets(t.gw.seen);
    for (const key of [WEBHOOK_KEY, FORWARD_KEY]) {
      assert.ok(!t.gw.seen.some((r) => r.text.includes(key)), 'no webhook key in a response');
      assert.ok(!t.stack.logs.some((l) => l.message.includes(key)), 'no webhook key in the log');
    }
    await t.stack.close();
  });

  test('each of the nine reads is served from the cache after a fill, with zero upstream calls', async () => {
    const session = freshSession();
    const filled = [];
    for (const read of READS) {
      const miss = await t.gw.call(groupPath(session, read));
      assertCache(miss, 'miss');
      assert.equal(miss.headers.get('age'), '0');
      filled.push([miss.text, miss.headers.get('content-type')]);
    }
    assert.equal((await upstreamCalls(t.gw, session)).length, READS.length, 'one upstream call per miss');
    await t.gw.clearReceived();
    for (const [i, read] of READS.entries()) {
      const hit = await t.gw.call(groupPath(session, read));
      assertCache(hit, 'hit');
      // The upstream's answer, byte for byte, under its content type (an invite code is bare text).
      assert.deepEqual([hit.text, hit.headers.get('content-type')], filled[i], read || 'group');
      const line = await t.stack.logLine(hit.headers.get('x-request-id'));
      assert.equal(line.cache, 'hit');
      assert.equal(line.upstreamStatus, null, 'not forwarded');
      assert.equal(line.kvOps, 1, 'one KV read');
    }
    assert.deepEqual(await upstreamCalls(t.gw, session), [], 'hits never reach the upstream');
  });

  test('an answer of another shape than the read is passed on once and never kept', async () => {
    const session = freshSession();
    // What the table's decode column promises: an object for a group and a setting, a list of members.
    for (const [read, answer] of [['', '[]'], ['/participants/v2', '{}'], ['/settings/security/info-admin-only', '[true]']]) {
      await t.gw.fault({ answerJson: answer, times: 1, method: 'GET', match: `/api/${session}/` });
      const unfit = await t.gw.call(groupPath(session, read));
      assertCache(unfit, 'miss');
      assert.equal(unfit.text, answer, 'passed on as the upstream sent it');
      assert.equal((await t.stack.logLine(unfit.headers.get('x-request-id'))).cache, 'unfit');
      await t.gw.clearReceived();
      const next = await t.gw.call(groupPath(session, read));
      assertCache(next, 'miss');
      assert.notEqual(next.text, answer, 'the next read asks the upstream again');
      assert.equal((await upstreamCalls(t.gw, session)).length, 1);
      assertCache(await t.gw.call(groupPath(session, read)), 'hit');
    }
  });

  test('Cache-Control: no-cache goes upstream and refreshes the entry', async () => {
    const session = freshSession();
    assertCache(await t.gw.call(groupPath(session)), 'miss');
    await editOutsideWithoutWebhook(session, { subject: 'Changed upstream only' });
    assert.equal((await t.gw.call(groupPath(session))).json.subject, 'Alpha Team', 'still cached');
    await t.gw.clearReceived();
    const fresh = await t.gw.call(groupPath(session), { headers: { 'cache-control': 'no-cache' } });
    assertCache(fresh, 'miss');
    assert.equal(fresh.json.subject, 'Changed upstream only');
    assert.equal((await upstreamCalls(t.gw, session)).length, 1);
    const after = await t.gw.call(groupPath(session));
    assertCache(after, 'hit');
    assert.equal(after.json.subject, 'Changed upstream only', 'the bypass refilled the entry');
  });

  /** Changes the simulator's state with its webhooks switched off (a change the cache cannot see). */
  async function editOutsideWithoutWebhook(session, set) {
    const { webhooks } = t.stack.sim;
    const url = webhooks.url;
    webhooks.configure({ url: '', hmacKey: WEBHOOK_KEY });
    try {
      const res = await fetch(`${t.stack.sim.url}/__sim/edit`, { method: 'POST', body: JSON.stringify({ session, group: ALPHA, set }) });
      assert.equal(res.status, 200);
    } finally {
      webhooks.configure({ url, hmacKey: WEBHOOK_KEY, retries: 0 });
    }
  }

  test('an add through the gateway is followed by a read that shows the new member', async () => {
    const session = freshSession();
    const newcomer = '15550000042@c.us';
    for (const read of ['', '/participants/v2']) assertCache(await t.gw.call(groupPath(session, read)), 'miss');
    // No webhook may rescue the test: only the gateway's own invalidation.
    t.stack.sim.webhooks.configure({ url: '', hmacKey: WEBHOOK_KEY });
    try {
      const add = await t.gw.call(groupPath(session, '/participants/add'), { method: 'POST', body: { participants: [{ id: newcomer }] } });
      assert.equal(add.status, 201, add.text);
      assert.equal((await t.stack.logLine(add.headers.get('x-request-id'))).cache, 'invalidated');
      await t.gw.clearReceived();
      const v2 = await t.gw.call(groupPath(session, '/participants/v2'));
      assertCache(v2, 'miss');
      assert.ok(v2.json.some((p) => p.id === newcomer && p.role === 'participant'), v2.text);
      const group = await t.gw.call(groupPath(session));
      assertCache(group, 'miss');
      assert.ok(group.json.participants.some((p) => p.id === newcomer));
      assert.equal((await upstreamCalls(t.gw, session)).length, 2);
    } finally {
      t.stack.sim.webhooks.configure({ url: `${t.stack.url}/webhooks/waha`, hmacKey: WEBHOOK_KEY, retries: 0 });
    }
  });

  test('a write refused upstream leaves the cache as it was', async () => {
    const session = freshSession();
    assertCache(await t.gw.call(groupPath(session)), 'miss');
    await t.gw.fault({ method: 'PUT', match: `/api/${session}/groups/`, status: 500, times: 1 });
    const refused = await t.gw.call(groupPath(session, '/subject'), { method: 'PUT', body: { subject: 'Never applied' } });
    assert.equal(refused.status, 502, refused.text);
    assertCache(await t.gw.call(groupPath(session)), 'hit');
  });

  test('a change arriving as a webhook is seen on the next read, with zero upstream calls', async () => {
    const session = freshSession();
    for (const read of ['', '/participants/v2', '/settings/security/member-add-mode']) {
      assertCache(await t.gw.call(groupPath(session, read)), 'miss');
    }
    await editOutside(t.stack, session, {
      group: ALPHA, set: { subject: 'Renamed on a phone', membersCanAddNewMember: false }, add: ['15550000043@c.us'],
      promote: ['15550000002@c.us'],
    });
    await t.gw.clearReceived();
    const group = await t.gw.call(groupPath(session));
    assertCache(group, 'hit');
    assert.equal(group.json.subject, 'Renamed on a phone');
    assert.equal(group.json.membersCanAddNewMember, false);
    assert.ok(group.json.participants.some((p) => p.id === '15550000043@c.us'), group.text);
    assert.equal(group.json.participants.find((p) => p.id === '15550000002@c.us').role, 'admin');
    const v2 = await t.gw.call(groupPath(session, '/participants/v2'));
    assertCache(v2, 'hit');
    assert.ok(v2.json.some((p) => p.id === '15550000043@c.us'), v2.text);
    assert.deepEqual(await upstreamCalls(t.gw, session), [], 'the webhook kept the entries fresh');
    // The changed setting's own read was dropped: it goes upstream once and is right.
    const setting = await t.gw.call(groupPath(session, '/settings/security/member-add-mode'));
    assertCache(setting, 'miss');
    assert.deepEqual(setting.json, { membersCanAddNewMember: false });
  });

  test('leaving a group through the gateway drops every entry of it', async () => {
    const session = freshSession();
    for (const read of READS) await t.gw.call(groupPath(session, read));
    const leave = await t.gw.call(groupPath(session, '/leave'), { method: 'POST' });
    assert.equal(leave.status, 201, leave.text);
    await flushWebhooks(t.stack);
    const read = await t.gw.call(groupPath(session));
    assert.equal(read.status, 403, 'not a member any more: the upstream says so, no cached copy answers');
    assert.equal(read.headers.get('x-groupgate-cache'), null);
  });

  test('a key for session sales cannot read the cache of default', async () => {
    assertCache(await t.gw.call(groupPath('default')), 'miss');
    assertCache(await t.gw.call(groupPath('default')), 'hit');
    await t.gw.clearReceived();
    const refused = await t.gw.call(groupPath('default'), { headers: { 'x-api-key': SALES_KEY } });
    assertProblem(refused, 403, 'forbidden');
    assert.equal(refused.headers.get('x-groupgate-cache'), null);
    assert.ok(!refused.text.includes('Alpha Team'), 'nothing of the cached group');
    // Its own session's read of the same group is its own entry: a miss, from the upstream.
    const own = await t.gw.call(groupPath('sales'), { headers: { 'x-api-key': SALES_KEY } });
    assertCache(own, 'miss');
    assert.deepEqual((await t.gw.received()).map((r) => r.path), [`/api/sales/groups/${ALPHA}`]);
  });
});

describe('GROUP_CACHE=1: stale entries', () => {
  let t;
  before(async () => {
    t = await startWebhookStack({ vars: { GROUP_CACHE: '1' } });
  });
  after(() => t.stack.close());

  test('an entry past its freshness goes upstream, and answers as stale only when the upstream fails', async () => {
    const session = freshSession();
    const first = await t.gw.call(groupPath(session, '/participants/v2'));
    assertCache(first, 'miss');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await t.gw.clearReceived();
    assertCache(await t.gw.call(groupPath(session, '/participants/v2')), 'miss');
    assert.equal((await upstreamCalls(t.gw, session)).length, 1, 'no longer fresh: asked again');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await t.gw.fault({ whatsappError: 'rate-overlimit', method: 'GET', match: `/api/${session}/groups/`, times: 1 });
    const stale = await t.gw.call(groupPath(session, '/participants/v2'));
    assertCache(stale, 'stale');
    assert.ok(Number(stale.headers.get('age')) >= 1, `Age ${stale.headers.get('age')}`);
    assert.equal(stale.text, first.text);
    // A refusal of the request itself is not papered over.
    await t.gw.fault({ whatsappError: 'forbidden', method: 'GET', match: `/api/${session}/groups/`, times: 1 });
    assertProblem(await t.gw.call(groupPath(session, '/participants/v2')), 403, 'whatsapp_forbidden');
  });
});

describe('GROUP_CACHE unset (the default)', () => {
  let t;
  before(async () => {
    t = await startWebhookStack({ receiver: false });
  });
  after(() => t.stack.close());

  test('every read goes upstream and carries no cache header; the receiver is off', async () => {
    const session = freshSession();
    for (let i = 0; i < 2; i++) {
      const res = await t.gw.call(groupPath(session));
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('x-groupgate-cache'), null);
      assert.equal(res.headers.get('age'), null);
    }
    assert.equal((await upstreamCalls(t.gw, session)).length, 2);
    const off = await t.gw.fetch('/webhooks/waha', { method: 'POST', body: '{}' });
    assertProblem(off, 404, 'not_found');
    assert.match(off.json.detail, /WEBHOOK_HMAC_KEY/);
  });
});

describe('GROUP_CACHE turned off, then on again (one KV namespace, three deploys)', () => {
  test('entries filled before the cache was off are never fresh again: writes meanwhile did not drop them', async () => {
    const sim = await startSimulator({ apiKey: UPSTREAM_KEY });
    const kvPersist = mkdtempSync(join(tmpdir(), 'groupgate-kv-'));
    const running = new Set();
    const deploy = async (vars) => {
      const stack = await startStack({ upstreamUrl: sim.url, kvPersist, vars });
      running.add(stack);
      return { stack, gw: client(stack), close: () => running.delete(stack) && stack.close() };
    };
    const session = freshSession();
    try {
      const on = await deploy({ GROUP_CACHE: '300' });
      assert.equal((await on.gw.call(groupPath(session))).headers.get('x-groupgate-cache'), 'miss');
      assert.equal((await on.gw.call(groupPath(session))).headers.get('x-groupgate-cache'), 'hit');
      await on.close();

      // With the cache off, a rename drops nothing from the cache; the isolate forgets since when
      // the cache was on (after its first answer).
      const off = await deploy({});
      const renamed = await off.gw.call(groupPath(session, '/subject'), { method: 'PUT', body: { subject: 'Renamed while off' } });
      assert.ok(renamed.status < 300, renamed.text);
      const kv = await off.stack.mf.getKVNamespace('GROUPGATE_KV');
      for (let waited = 0; (await kv.get('gc/on-since')) !== null; waited += 20) {
        assert.ok(waited < 3000, 'gc/on-since is deleted');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await off.close();

      const again = await deploy({ GROUP_CACHE: '300' });
      const read = await again.gw.call(groupPath(session));
      assert.equal(read.headers.get('x-groupgate-cache'), 'miss', 'the entry from before was not answered');
      assert.equal(read.json.subject, 'Renamed while off');
      const next = await again.gw.call(groupPath(session));
      assert.equal(next.headers.get('x-groupgate-cache'), 'hit', 'entries filled since it is on again are');
      assert.equal(next.json.subject, 'Renamed while off');
    } finally {
      for (const stack of running) await stack.close();
      await sim.close();
      rmSync(kvPersist, { recursive: true, force: true });
    }
  });
});
