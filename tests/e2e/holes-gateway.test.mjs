// Smaller holes, each tried the way an attacker with an ordinary client key would: session names
// that are WAHA's own routes, an upstream redirect carrying the upstream key away, idempotency
// records shared between clients, invisible subjects, loose media types, and a timeout setting the
// idempotency marker cannot cover.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { assertProblem, assertNoSecrets, ALPHA, useStack } from './proxy-helpers.mjs';
import { SALES_KEY, UPSTREAM_KEY } from './stack.mjs';

const SEEDED = 3; // groups the simulator starts with

/** A loopback server that records whatever reaches it: where a redirect would send the key. */
const thief = { hits: [] };
thief.server = createServer((req, res) => {
  thief.hits.push({ path: req.url, headers: req.headers });
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{"stolen":true}');
});
await new Promise((resolve) => thief.server.listen(0, '127.0.0.1', resolve));
thief.url = `http://127.0.0.1:${thief.server.address().port}`;
after(() => new Promise((resolve) => { thief.server.closeAllConnections(); thief.server.close(resolve); }));

describe('with the default settings', () => {
  const t = useStack();

  test("session names that are WAHA's own top-level routes → 422 (invalid_session), not forwarded", async () => {
    for (const session of ['sessions', 'Sessions', 'server', 'version', 'contacts', 'keys', 'apps', 'sendText', 'screenshot']) {
      for (const path of [`/api/${session}/groups`, `/api/${session}/groups/count`]) {
        const res = await t.gw.call(path);
        const p = assertProblem(res, 422, 'validation_failed', [{ parameter: 'session', code: 'invalid_session' }]);
        assert.match(p.errors[0].detail, /WAHA's own routes/, path);
      }
    }
    assert.deepEqual(await t.gw.received(), []);
  });

  test("session names outside WAHA's rules (dots, over 54 characters) → 422 (invalid_session)", async () => {
    for (const session of ['team.prod', 'x'.repeat(55)]) {
      assertProblem(await t.gw.call(`/api/${session}/groups`), 422, 'validation_failed', [{ parameter: 'session', code: 'invalid_session' }]);
    }
    assert.equal((await t.gw.call(`/api/${'x'.repeat(54)}/groups`)).status, 200);
  });

  test('an upstream 3xx → 502 upstream_error; the redirect is not followed and the key goes nowhere', async () => {
    await t.gw.fault({ redirect: `${thief.url}/steal`, match: `/groups/${ALPHA}` });
    const res = await t.gw.call(`/api/default/groups/${ALPHA}`);
    const p = assertProblem(res, 502, 'upstream_error');
    assert.equal(p.upstreamStatus, 302);
    assert.match(p.detail, /redirect/);
    assert.deepEqual(thief.hits.map((h) => h.headers['x-api-key']), [], 'nothing reached the redirect target');
    assert.equal((await t.gw.received()).length, 1);
    assert.ok(!JSON.stringify(thief.hits).includes(UPSTREAM_KEY));
  });

  test('two clients with the same Idempotency-Key on one session never share a record', async () => {
    const key = `shared-key-${process.pid}`;
    const body = { name: 'Launch crew', participants: [{ id: '15551234567@c.us' }] };
    const create = (apiKey, b = body) => t.gw.call('/api/sales/groups', {
      method: 'POST', body: b, headers: { ...(apiKey && { 'x-api-key': apiKey }), 'idempotency-key': key },
    });
    const first = await create(undefined);
    assert.equal(first.status, 201, first.text);
    const other = await create(SALES_KEY);
    assert.equal(other.status, 201, other.text);
    assert.equal(other.headers.get('idempotency-replayed'), null, "the other client's answer is not replayed");
    assert.notEqual(other.json.id, first.json.id);
    const otherBody = await create(SALES_KEY, { ...body, name: 'Another crew' });
    assert.equal(otherBody.status, 422, 'the second client reusing its own key with another body');
    const probe = await create(undefined, { ...body, name: 'Third crew' });
    assertProblem(probe, 422, 'idempotency_key_reused');
    // Each client still replays its own answer.
    const again = await create(SALES_KEY);
    assert.equal(again.headers.get('idempotency-replayed'), 'true');
    assert.equal(again.json.id, other.json.id);
    assert.equal((await t.gw.state('sales')).groups.length, SEEDED + 2);
  });

  test('a key used by one client is not revealed to another (no 422 for their different body)', async () => {
    const key = `probe-key-${process.pid}`;
    const post = (apiKey, name) => t.gw.call('/api/sales/groups', {
      method: 'POST',
      body: { name, participants: [{ id: '15551234567@c.us' }] },
      headers: { ...(apiKey && { 'x-api-key': apiKey }), 'idempotency-key': key },
    });
    assert.equal((await post(undefined, 'Victim group')).status, 201);
    const probe = await post(SALES_KEY, 'Probe');
    assert.equal(probe.status, 201, probe.text);
  });

  test('subjects of only invisible characters → 422 empty_subject, not forwarded', async () => {
    for (const subject of ['\u200b', '\u200b\u200c\u200d', '\u2060\ufeff', '\u3164', '\u2800', '\u00ad \u180e']) {
      const set = await t.gw.call(`/api/default/groups/${ALPHA}/subject`, { method: 'PUT', body: { subject } });
      assertProblem(set, 422, 'validation_failed', [{ pointer: '/subject', code: 'empty_subject' }]);
      const create = await t.gw.call('/api/default/groups', { method: 'POST', body: { name: subject, participants: [{ id: '15551234567@c.us' }] } });
      assertProblem(create, 422, 'validation_failed', [{ pointer: '/name', code: 'empty_subject' }]);
    }
    assert.deepEqual(await t.gw.received(), []);
    const visible = await t.gw.call(`/api/default/groups/${ALPHA}/subject`, { method: 'PUT', body: { subject: '\u200bTeam' } });
    assert.equal(visible.status, 200, 'a subject with something visible passes');
  });

  test('media types that merely start with application/json → 415, not forwarded', async () => {
    for (const type of ['application/jsonx', 'application/json-patch+json', 'application/jsonp; charset=utf-8', 'application/json5']) {
      const res = await t.gw.call(`/api/default/groups/${ALPHA}/subject`, {
        method: 'PUT', body: JSON.stringify({ subject: 'Team' }), headers: { 'content-type': type },
      });
      assertProblem(res, 415, 'unsupported_media_type');
    }
    assert.deepEqual(await t.gw.received(), []);
    const ok = await t.gw.call(`/api/default/groups/${ALPHA}/subject`, {
      method: 'PUT', body: JSON.stringify({ subject: 'Team' }), headers: { 'content-type': 'Application/JSON; charset=utf-8' },
    });
    assert.equal(ok.status, 200);
  });

  test('no key appears in any response', () => assertNoSecrets(t.gw.seen));
});

describe('with an UPSTREAM_TIMEOUT_MS the idempotency marker cannot cover', () => {
  const t = useStack({ vars: { UPSTREAM_TIMEOUT_MS: '3600000' } });

  test('every request → 500 misconfigured naming the setting, nothing forwarded', async () => {
    const p = assertProblem(await t.gw.call('/api/default/groups'), 500, 'misconfigured');
    assert.match(p.detail, /^UPSTREAM_TIMEOUT_MS: at most 3540000/);
    assert.ok(!p.detail.includes('3600000'), 'the value is not repeated');
    assert.deepEqual(await t.gw.received(), []);
  });

  test('later requests are refused the same way: the isolate keeps the failed parse, not a default', async () => {
    for (const path of ['/api/default/groups', `/api/default/groups/${ALPHA}`, '/healthz', '/groupgate/key']) {
      const p = assertProblem(await t.gw.call(path), 500, 'misconfigured');
      assert.match(p.detail, /^UPSTREAM_TIMEOUT_MS: at most 3540000/, path);
    }
    assert.deepEqual(await t.gw.received(), []);
  });
});

describe('settings written unquoted in wrangler.toml (a number, a boolean)', () => {
  // wrangler passes `MAX_PARTICIPANTS_PER_REQUEST = 2` on as the number 2, not the text "2".
  const t = useStack({ vars: { MAX_PARTICIPANTS_PER_REQUEST: 2, UPSTREAM_TIMEOUT_MS: 20000 } });

  test('are read as their text: the limit of 2 holds', async () => {
    const people = (n) => ({ participants: Array.from({ length: n }, (_, i) => ({ id: `1555000${String(i).padStart(4, '0')}@c.us` })) });
    const refused = await t.gw.call(`/api/default/groups/${ALPHA}/participants/add`, { method: 'POST', body: people(3) });
    const p = assertProblem(refused, 422, 'validation_failed');
    assert.match(p.errors[0].detail, /at most 2/);
    assert.deepEqual(await t.gw.received(), []);
  });
});

describe('a setting written as a table in wrangler.toml', () => {
  const t = useStack({ vars: { GROUP_CACHE: { seconds: 30 } } });

  test('every request → 500 misconfigured naming the setting', async () => {
    const p = assertProblem(await t.gw.call('/api/default/groups'), 500, 'misconfigured');
    assert.match(p.detail, /^GROUP_CACHE: expected text, a number or true\/false/);
    assert.deepEqual(await t.gw.received(), []);
  });
});

describe('an UPSTREAM_URL with no host or a port that is not a number', () => {
  for (const url of ['http:///base', 'http://127.0.0.1:3000x', 'http://[::1']) {
    const t = useStack({ vars: { UPSTREAM_URL: url } });

    test(`${url}: every request → 500 misconfigured naming the setting, nothing sent anywhere`, async () => {
      const p = assertProblem(await t.gw.call('/api/default/groups'), 500, 'misconfigured');
      assert.match(p.detail, /^UPSTREAM_URL: expected http\(s\):\/\/host\[:port\]/);
      assert.deepEqual(await t.gw.received(), []);
    });
  }
});
