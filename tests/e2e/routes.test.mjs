// The edge proxy: every route of the WAHA groups contract is forwarded canonically
// (method, path, query, body, upstream key, request id) and the upstream's answer reaches the
// client unchanged. The route list comes from the contract file, so a missing route fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UPSTREAM_KEY, CLIENT_KEY } from './stack.mjs';
import {
  contractRoutes, assertNoSecrets, useStack, ALPHA, BETA, GAMMA, ALPHA_CODE, GAMMA_CODE, UUID,
} from './proxy-helpers.mjs';

const t = useStack({ captureLogs: true }, { each: null });

const PEOPLE = '{"participants":[{"id":"15550000002@c.us"}]}';

/**
 * One valid client request per contract route, and what the upstream must receive.
 * `group`: the `{id}`; `clientId`: how the client spells it in the path (default `group`);
 * `query`/`body`: what the client sends; `fwdQuery`/`fwdBody`: the canonical forwarded form.
 * `check(res, ctx)`: extra assertions for answers that are random (compared with the state).
 */
const SAMPLES = {
  'POST /groups': {
    // Field order, the @s.whatsapp.net spelling: both made canonical.
    body: { participants: [{ id: '15551234567@s.whatsapp.net' }, { id: '123456789012345@lid' }], name: 'Team' },
    fwdBody: '{"name":"Team","participants":[{"id":"15551234567@c.us"},{"id":"123456789012345@lid"}]}',
    async check(res, { state }) {
      const created = state.groups.find((g) => g.subject === 'Team');
      assert.ok(created, 'the simulator holds the created group');
      assert.equal(res.json.id, created.id);
      assert.equal(res.json.invite, `https://chat.whatsapp.com/${created.inviteCode}`);
      assert.deepEqual(res.json.participants.map((p) => p.id).sort(),
        ['123456789012345@lid', '15550000000@c.us', '15551234567@c.us']);
    },
  },
  'GET /groups': {
    query: 'sortOrder=desc&exclude=participants&limit=2&sortBy=subject&offset=0',
    fwdQuery: 'limit=2&offset=0&sortBy=subject&sortOrder=desc&exclude=participants',
  },
  'GET /groups/count': {},
  'POST /groups/refresh': {},
  'GET /groups/join-info': {
    query: `code=${encodeURIComponent(`https://chat.whatsapp.com/invite/${ALPHA_CODE}/?s=sw&p=a`)}`,
    fwdQuery: `code=${ALPHA_CODE}`,
  },
  'POST /groups/join': {
    body: { code: `https://chat.whatsapp.com/${GAMMA_CODE}` },
    fwdBody: `{"code":"${GAMMA_CODE}"}`,
  },
  'GET /groups/{id}': { group: ALPHA, clientId: encodeURIComponent(ALPHA) }, // %40 → @
  'DELETE /groups/{id}': { group: ALPHA },
  'POST /groups/{id}/leave': { group: GAMMA },
  'PUT /groups/{id}/subject': {
    group: ALPHA, body: { subject: 'Renamed: "Ω" team' }, fwdBody: '{"subject":"Renamed: \\"Ω\\" team"}',
  },
  'PUT /groups/{id}/description': { group: ALPHA, body: { description: '' }, fwdBody: '{"description":""}' },
  'GET /groups/{id}/picture': { group: BETA, query: 'refresh=true', fwdQuery: 'refresh=true' },
  'PUT /groups/{id}/picture': {
    group: ALPHA,
    body: { file: { filename: 'p.jpg', data: '/9j/4AAQ', mimetype: 'image/jpeg' } },
    fwdBody: '{"file":{"mimetype":"image/jpeg","data":"/9j/4AAQ","filename":"p.jpg"}}',
  },
  'DELETE /groups/{id}/picture': { group: BETA },
  'PUT /groups/{id}/settings/security/info-admin-only': {
    group: ALPHA, body: { adminsOnly: true }, fwdBody: '{"adminsOnly":true}',
  },
  'GET /groups/{id}/settings/security/info-admin-only': { group: GAMMA },
  'PUT /groups/{id}/settings/security/messages-admin-only': {
    group: ALPHA, body: { adminsOnly: false }, fwdBody: '{"adminsOnly":false}',
  },
  'GET /groups/{id}/settings/security/messages-admin-only': { group: ALPHA },
  'PUT /groups/{id}/settings/security/member-add-mode': {
    group: ALPHA, body: { membersCanAddNewMember: false }, fwdBody: '{"membersCanAddNewMember":false}',
  },
  'GET /groups/{id}/settings/security/member-add-mode': { group: ALPHA },
  'PUT /groups/{id}/settings/security/member-share-history-mode': {
    group: BETA, body: { membersCanShareHistory: false }, fwdBody: '{"membersCanShareHistory":false}',
  },
  'GET /groups/{id}/settings/security/member-share-history-mode': { group: BETA },
  'PUT /groups/{id}/settings/security/membership-approval': {
    group: ALPHA, body: { newMembersApprovalRequired: true }, fwdBody: '{"newMembersApprovalRequired":true}',
  },
  'GET /groups/{id}/settings/security/membership-approval': { group: BETA },
  'GET /groups/{id}/invite-code': { group: ALPHA },
  'POST /groups/{id}/invite-code/revoke': {
    group: ALPHA,
    async check(res, { state }) {
      const alpha = state.groups.find((g) => g.id === ALPHA);
      assert.notEqual(alpha.inviteCode, ALPHA_CODE, 'the code was revoked');
      assert.equal(res.text, alpha.inviteCode, 'the client got the new code, bare, as WAHA sends it');
    },
  },
  'GET /groups/{id}/participants': { group: ALPHA },
  'GET /groups/{id}/participants/v2': { group: ALPHA },
  'POST /groups/{id}/participants/add': {
    group: ALPHA,
    body: { participants: [{ id: '15551234567@s.whatsapp.net' }, { id: '15550000001@c.us' }] },
    fwdBody: '{"participants":[{"id":"15551234567@c.us"},{"id":"15550000001@c.us"}]}',
  },
  'POST /groups/{id}/participants/remove': {
    group: ALPHA, body: { participants: [{ id: '15550000002@s.whatsapp.net' }] }, fwdBody: PEOPLE,
  },
  'POST /groups/{id}/admin/promote': { group: ALPHA, body: JSON.parse(PEOPLE), fwdBody: PEOPLE },
  'POST /groups/{id}/admin/demote': {
    group: ALPHA, body: { participants: [{ id: '15550000001@c.us' }] }, fwdBody: '{"participants":[{"id":"15550000001@c.us"}]}',
  },
  'GET /groups/{id}/participants/join-requests': { group: BETA },
  'POST /groups/{id}/participants/join-requests/approve': {
    group: BETA,
    body: { participants: [{ id: '15550000005@s.whatsapp.net' }] },
    fwdBody: '{"participants":[{"id":"15550000005@c.us"}]}',
  },
  'POST /groups/{id}/participants/join-requests/reject': {
    group: BETA,
    body: { participants: [{ id: '987654321098765@lid' }] },
    fwdBody: '{"participants":[{"id":"987654321098765@lid"}]}',
  },
};

const fill = (template, id) => template.replace('{id}', id ?? '');
const withQuery = (path, query) => (query ? `${path}?${query}` : path);

/** What the simulator answers to the canonical request itself (the upstream's own answer). */
async function upstreamAnswer(method, path, query, body) {
  const headers = { 'x-api-key': UPSTREAM_KEY };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(t.stack.sim.url + withQuery(path, query), { method, headers, body });
  return { status: res.status, contentType: res.headers.get('content-type'), text: await res.text() };
}

/** Headers a client sent that must never reach the upstream. */
const CLIENT_ONLY = {
  cookie: 'session=abc',
  'x-forwarded-for': '203.0.113.9',
  'x-custom-secret': 'do-not-forward',
  'x-waha-session': 'other',
};

const routes = contractRoutes();

test('the contract lists 35 routes and each has a sample here', () => {
  assert.equal(routes.length, 35);
  assert.equal(new Set(routes.map((r) => `${r.method} ${r.template}`)).size, 35);
  const missing = routes.map((r) => `${r.method} ${r.template}`).filter((k) => !(k in SAMPLES));
  assert.deepEqual(missing, [], 'contract routes without a sample');
  assert.equal(Object.keys(SAMPLES).length, 35, 'no sample for a route the contract lacks');
});

for (const { row, method, template } of routes) {
  test(`#${row} ${method} ${template} is forwarded canonically and answered unchanged`, async () => {
    const sample = SAMPLES[`${method} ${template}`];
    assert.ok(sample, `no sample for ${method} ${template}`);
    const clientPath = `/api/default${fill(template, sample.clientId ?? sample.group)}`;
    const fwdPath = `/api/default${fill(template, sample.group)}`;
    const fwdQuery = sample.fwdQuery ?? '';
    const fwdBody = sample.fwdBody;
    assert.equal(sample.query === undefined, sample.fwdQuery === undefined, 'sample: query and fwdQuery go together');
    assert.equal(sample.body === undefined, sample.fwdBody === undefined, 'sample: body and fwdBody go together');

    // A mutation's upstream answer is taken on a fresh state first; a read's right after the call.
    await t.gw.reset();
    let expected;
    if (method !== 'GET') {
      expected = await upstreamAnswer(method, fwdPath, fwdQuery, fwdBody);
      await t.gw.reset();
    }
    const res = await t.gw.call(withQuery(clientPath, sample.query), { method, body: sample.body, headers: CLIENT_ONLY });
    const received = await t.gw.received();
    if (method === 'GET') expected = await upstreamAnswer(method, fwdPath, fwdQuery, fwdBody);
    assert.ok(expected.status >= 200 && expected.status < 300, `the sample is valid upstream: ${expected.text}`);

    assert.equal(received.length, 1, 'forwarded exactly once');
    const [fwd] = received;
    assert.equal(fwd.method, method);
    assert.equal(fwd.path, fwdPath);
    assert.equal(fwd.query, fwdQuery);
    assert.equal(fwd.body, fwdBody ?? '');
    if (fwdBody !== undefined) assert.equal(fwd.headers['content-type'], 'application/json');
    assert.equal(fwd.headers['x-api-key'], UPSTREAM_KEY, 'the upstream key, not the client key');
    assert.equal(fwd.headers.authorization, undefined);
    for (const name of Object.keys(CLIENT_ONLY)) assert.equal(fwd.headers[name], undefined, `${name} not forwarded`);
    assert.ok(!JSON.stringify(fwd.headers).includes(CLIENT_KEY), 'the client key is not forwarded');
    const requestId = res.headers.get('x-request-id');
    assert.match(requestId, UUID);
    assert.equal(fwd.headers['x-request-id'], requestId);

    assert.equal(res.status, expected.status, res.text);
    assert.equal(res.headers.get('content-type'), expected.contentType);
    if (sample.check) {
      await sample.check(res, { state: await t.gw.state() });
    } else {
      assert.equal(res.text, expected.text, 'the upstream body, byte for byte');
    }

    const log = await t.stack.logLine(requestId);
    assert.equal(log.status, res.status);
    assert.equal(log.upstreamStatus, expected.status);
    assert.equal(log.session, 'default');
  });
}

test('a valid client X-Request-Id is echoed and forwarded', async () => {
  for (const id of ['client-req_42.7:abc', 'A', 'r'.repeat(128)]) {
    await t.gw.reset();
    const res = await t.gw.call(`/api/default/groups/${ALPHA}/participants/v2`, { headers: { 'x-request-id': id } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-request-id'), id);
    const [fwd] = await t.gw.received();
    assert.equal(fwd.headers['x-request-id'], id);
  }
});

test('the request id is echoed on problems too, and quoted in them', async () => {
  const res = await t.gw.call(`/api/default/groups/${ALPHA}/subject`, {
    method: 'PUT', body: { subject: '' }, headers: { 'x-request-id': 'trace-422' },
  });
  assert.equal(res.status, 422);
  assert.equal(res.headers.get('x-request-id'), 'trace-422');
  assert.equal(res.json.requestId, 'trace-422');
});

test('an invalid client X-Request-Id is replaced by a generated one (echoed and forwarded)', async () => {
  for (const bad of ['has spaces in it', 'x'.repeat(200), 'r'.repeat(129), 'semi;colon', '<script>', 'a/b', 'tab\there']) {
    await t.gw.reset();
    const res = await t.gw.call('/api/default/groups/count', { headers: { 'x-request-id': bad } });
    assert.equal(res.status, 200);
    const id = res.headers.get('x-request-id');
    assert.notEqual(id, bad);
    assert.match(id, UUID, `generated for ${JSON.stringify(bad)}`);
    const [fwd] = await t.gw.received();
    assert.equal(fwd.headers['x-request-id'], id);
  }
});

test('generated request ids differ per request', async () => {
  const ids = new Set();
  for (let i = 0; i < 5; i++) ids.add((await t.gw.call('/api/default/groups/count')).headers.get('x-request-id'));
  assert.equal(ids.size, 5);
});

test('no key appears in any response of this file', () => assertNoSecrets(t.gw.seen));
