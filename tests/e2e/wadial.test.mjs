// The Wadial-style dialect end to end: every Wadial-style request against the WAHA simulator
// (the record shows the exact translated calls), every WAHA request against the simulator's
// Wadial-style API (UPSTREAM_DIALECT=wadial), one quota for both dialects, the 501 cases
// forwarding nothing, and a bulk leave reporting per group.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CLIENT_KEY, UPSTREAM_KEY } from './stack.mjs';
import { assertNoSecrets, assertProblem, useStack, ALPHA, BETA, GAMMA, ALPHA_CODE, GAMMA_CODE } from './proxy-helpers.mjs';

const V1 = '/api/v1/sessions/default';
const BEARER = { 'x-api-key': undefined, authorization: `Bearer ${CLIENT_KEY}` };
const MISSING = '120363000000000099@g.us';

/** The calls the simulator received, as `METHOD path body`. */
async function calls(gw) {
  return (await gw.received()).map((r) => `${r.method} ${r.path}${r.body ? ` ${r.body}` : ''}`);
}

describe('Wadial-style clients in front of a WAHA upstream', () => {
  const t = useStack({ captureLogs: true, vars: { LIMIT_ADD: '10/600' } });
  const wadial = (path, init = {}) => t.gw.call(`${V1}${path}`, { ...init, headers: { ...BEARER, ...init.headers } });

  /** [method, path, body, the WAHA calls forwarded, check of the answer]. */
  const SAMPLES = [
    ['GET', '/groups', undefined, ['GET /api/default/groups'], (res) => {
      assert.equal(res.json.length, 3);
      const alpha = res.json.find((g) => g.id === ALPHA);
      assert.equal(alpha.desc, 'Alpha team coordination');
      assert.equal(alpha.memberAddMode, 'all_member_add');
      assert.equal(alpha.announce, false);
      assert.deepEqual(alpha.participants[0], { id: '15550000000@s.whatsapp.net', admin: 'superadmin' });
      assert.equal(alpha.size, alpha.participants.length);
    }],
    ['GET', `/groups/${GAMMA}`, undefined, [`GET /api/default/groups/${GAMMA}`], (res) => {
      assert.equal(res.json.restrict, true);
      assert.ok(res.json.participants.every((p) => !p.id.endsWith('@c.us')));
    }],
    ['POST', '/groups', { subject: 'Customer updates', participants: ['15551234567@s.whatsapp.net'], description: 'Order updates' },
      ['POST /api/default/groups {"name":"Customer updates","participants":[{"id":"15551234567@c.us"}]}',
        /^PUT \/api\/default\/groups\/\d+@g\.us\/description \{"description":"Order updates"\}$/],
      (res) => {
        assert.equal(res.status, 201);
        assert.equal(res.json.subject, 'Customer updates');
        assert.equal(res.json.desc, 'Order updates');
        assert.ok(res.json.participants.some((p) => p.id === '15551234567@s.whatsapp.net'));
      }],
    ['PATCH', `/groups/${ALPHA}/profile`, { subject: 'Priority customers', description: 'High-priority support' },
      [`PUT /api/default/groups/${ALPHA}/subject {"subject":"Priority customers"}`,
        `PUT /api/default/groups/${ALPHA}/description {"description":"High-priority support"}`],
      (res) => assert.deepEqual(res.json, { updated: ['subject', 'description'], failed: [] })],
    ...[['add', 'participants/add', '15551234567'], ['remove', 'participants/remove', '15550000002'],
      ['promote', 'admin/promote', '15550000002'], ['demote', 'admin/demote', '15550000001']].map(([action, route, digits]) => [
      'POST', `/groups/${ALPHA}/participants`, { action, participants: [`${digits}@s.whatsapp.net`] },
      [`POST /api/default/groups/${ALPHA}/${route} {"participants":[{"id":"${digits}@c.us"}]}`],
      (res) => assert.deepEqual(res.json, [{ jid: `${digits}@s.whatsapp.net`, status: '200' }])]),
    ['PATCH', `/groups/${ALPHA}/settings`, { setting: 'announcement', enabled: true },
      [`PUT /api/default/groups/${ALPHA}/settings/security/messages-admin-only {"adminsOnly":true}`],
      (res) => assert.deepEqual(res.json, { updated: ['announcement'], failed: [] })],
    ['PATCH', `/groups/${ALPHA}/settings`, { setting: 'locked', enabled: false },
      [`PUT /api/default/groups/${ALPHA}/settings/security/info-admin-only {"adminsOnly":false}`], undefined],
    ['PATCH', `/groups/${ALPHA}/settings`, { memberAddMode: 'admin_add' },
      [`PUT /api/default/groups/${ALPHA}/settings/security/member-add-mode {"membersCanAddNewMember":false}`], undefined],
    ['PATCH', `/groups/${ALPHA}/settings`, { memberShareGroupHistoryMode: 'all_member_share' },
      [`PUT /api/default/groups/${ALPHA}/settings/security/member-share-history-mode {"membersCanShareHistory":true}`], undefined],
    ['POST', '/groups/invite/preview', { code: `https://chat.whatsapp.com/${ALPHA_CODE}` },
      [`GET /api/default/groups/join-info`], (res) => {
        assert.equal(res.json.id, ALPHA);
        assert.equal(res.json.desc, 'Alpha team coordination');
      }],
    ['POST', '/groups/join', { code: GAMMA_CODE }, [`POST /api/default/groups/join {"code":"${GAMMA_CODE}"}`],
      (res) => assert.deepEqual(res.json, { id: GAMMA })],
    ['GET', `/groups/${ALPHA}/invite-code`, undefined, [`GET /api/default/groups/${ALPHA}/invite-code`],
      (res) => assert.deepEqual(res.json, { code: ALPHA_CODE })],
    ['POST', `/groups/${ALPHA}/invite/revoke`, undefined, [`POST /api/default/groups/${ALPHA}/invite-code/revoke`],
      (res) => assert.match(res.json.code, /^[A-Za-z0-9]{22}$/)],
    ['GET', `/groups/${BETA}/membership-requests`, undefined, [`GET /api/default/groups/${BETA}/participants/join-requests`],
      (res) => assert.deepEqual(res.json.map((r) => [r.jid, r.phoneNumber]),
        [['15550000005@s.whatsapp.net', undefined], ['987654321098765@lid', '15550000006@s.whatsapp.net']])],
    ['POST', `/groups/${BETA}/membership-requests`, { action: 'approve', participants: ['15550000005@s.whatsapp.net'] },
      [`POST /api/default/groups/${BETA}/participants/join-requests/approve {"participants":[{"id":"15550000005@c.us"}]}`],
      (res) => assert.deepEqual(res.json, [{ jid: '15550000005@s.whatsapp.net', status: '200' }])],
    ['POST', `/groups/${BETA}/membership-requests`, { action: 'reject', participants: ['15550000005@s.whatsapp.net'] },
      [`POST /api/default/groups/${BETA}/participants/join-requests/reject {"participants":[{"id":"15550000005@c.us"}]}`], undefined],
    ['POST', '/groups/leave', { groupJids: [GAMMA] }, [`POST /api/default/groups/${GAMMA}/leave`],
      (res) => assert.deepEqual(res.json, { left: [GAMMA], failed: [] })],
  ];

  for (const [method, path, body, forwarded, check] of SAMPLES) {
    test(`${method} ${path} ${body ? JSON.stringify(body) : ''}`, async () => {
      const res = await wadial(path, { method, body });
      assert.ok(res.status < 300, `${res.status} ${res.text}`);
      const got = await calls(t.gw);
      assert.equal(got.length, forwarded.length, got.join('\n'));
      forwarded.forEach((want, i) => (typeof want === 'string' ? assert.equal(got[i], want) : assert.match(got[i], want)));
      for (const r of await t.gw.received()) {
        assert.equal(r.headers['x-api-key'], UPSTREAM_KEY, 'the WAHA upstream gets its own key');
        assert.equal(r.headers.authorization, undefined, 'the client key is not forwarded');
        assert.equal(r.headers['x-request-id'], res.headers.get('x-request-id'));
      }
      check?.(res);
    });
  }

  test('a bad id in a Wadial body: the WAHA dialect\'s problem, pointing into the Wadial body; nothing forwarded', async () => {
    const res = await wadial(`/groups/${ALPHA}/participants`, { method: 'POST', body: { action: 'add', participants: ['+15551234567@s.whatsapp.net'] } });
    assertProblem(res, 422, 'validation_failed', [{ pointer: '/participants/0', code: 'invalid_id' }]);
    const bad = await wadial(`/groups/${ALPHA}/participants`, { method: 'POST', body: { action: 'kick', participants: ['15551234567@s.whatsapp.net'] } });
    assertProblem(bad, 422, 'validation_failed', [{ pointer: '/action', code: 'invalid_value' }]);
    assert.deepEqual(await calls(t.gw), []);
  });

  for (const [path, body, pointer] of [
    [`/groups/${ALPHA}/settings`, { memberLinkMode: 'all_member_link' }, '/memberLinkMode'],
    [`/groups/${ALPHA}/settings`, { ephemeralDurationSeconds: 604800 }, '/ephemeralDurationSeconds'],
    [`/groups/${BETA}/membership-requests`, { action: 'cancel', participants: ['15550000005@s.whatsapp.net'] }, '/action'],
  ]) {
    test(`501 not_implemented naming ${pointer}, nothing forwarded`, async () => {
      const method = path.endsWith('settings') ? 'PATCH' : 'POST';
      const res = await wadial(path, { method, body });
      const problem = assertProblem(res, 501, 'not_implemented', [{ pointer, code: 'not_implemented' }]);
      assert.ok(problem.detail.startsWith(pointer), problem.detail);
      assert.deepEqual(await calls(t.gw), []);
    });
  }

  test('a bulk leave of three groups whose second fails reports exactly that (207)', async () => {
    const res = await wadial('/groups/leave', { method: 'POST', body: { groupJids: [ALPHA, MISSING, GAMMA] } });
    assert.equal(res.status, 207, res.text);
    assert.deepEqual(res.json.left, [ALPHA, GAMMA]);
    assert.equal(res.json.failed.length, 1);
    assert.deepEqual(res.json.failed[0], {
      groupJid: MISSING, status: 404, code: 'whatsapp_not_found', detail: 'WhatsApp answered item-not-found',
    });
    assert.deepEqual(await calls(t.gw), [ALPHA, MISSING, GAMMA].map((g) => `POST /api/default/groups/${g}/leave`));
    const state = await t.gw.state();
    const me = (id) => state.groups.find((g) => g.id === id).participants.find((p) => p.id === state.me);
    assert.equal(me(ALPHA).role, 'left');
    assert.equal(me(GAMMA).role, 'left');
  });

  test('a WAHA engine answering an object of per-person outcomes: one {jid, status} per person asked about, in order', async () => {
    const keyed = { '15551230001@s.whatsapp.net': { code: 200, message: 'added' }, '15551230003:7@s.whatsapp.net': { status: '409' } };
    await t.gw.fault({ match: `/groups/${ALPHA}/participants/add`, answerJson: JSON.stringify(keyed), times: 1 });
    const people = ['15551230003@s.whatsapp.net', '15551230001@s.whatsapp.net', '15551230009@s.whatsapp.net'];
    const res = await wadial(`/groups/${ALPHA}/participants`, { method: 'POST', body: { action: 'add', participants: people } });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json, [
      { jid: '15551230003:7@s.whatsapp.net', status: '409' },
      { jid: '15551230001@s.whatsapp.net', code: 200, message: 'added', status: '200' },
      { jid: '15551230009@s.whatsapp.net', status: '' },
    ]);
  });

  test('a profile update whose description fails reports the subject done and the description failed (207)', async () => {
    const res = await wadial(`/groups/${ALPHA}/profile`, { method: 'PATCH', body: { subject: 'Renamed', description: 'x' } });
    assert.equal(res.status, 200, 'both parts succeed first');
    await t.gw.fault({ method: 'PUT', match: '/description', whatsappError: 'not-authorized' });
    const partial = await wadial(`/groups/${ALPHA}/profile`, { method: 'PATCH', body: { subject: 'Again', description: 'y' } });
    assert.equal(partial.status, 207, partial.text);
    assert.deepEqual(partial.json.updated, ['subject']);
    assert.deepEqual(partial.json.failed.map((f) => [f.field, f.status, f.code]), [['description', 403, 'whatsapp_not_authorized']]);
  });

  test('a Wadial add and a WAHA add for one session draw on one quota (10: 6 + 6 → the 11th unit refused)', async () => {
    const statuses = [];
    for (let i = 0; i < 6; i++) {
      // Its own session: the other tests' adds spend from the default session's quota.
      const res = await t.gw.call(`/api/v1/sessions/quota/groups/${ALPHA}/participants`, {
        method: 'POST', headers: BEARER, body: { action: 'add', participants: [`1555700000${i}@s.whatsapp.net`] },
      });
      statuses.push(res.status);
      assert.match(res.headers.get('ratelimit'), new RegExp(`^"add";r=${9 - i};`));
    }
    for (let i = 0; i < 6; i++) {
      const res = await t.gw.call(`/api/quota/groups/${ALPHA}/participants/add`, { method: 'POST', body: { participants: [{ id: `1555800000${i}@c.us` }] } });
      statuses.push(res.status);
      if (i === 4) assertProblem(res, 429, 'rate_limited');
    }
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200, 201, 201, 201, 201, 429, 429]);
    assert.equal((await t.gw.received()).length, 10, 'exactly 10 adds reached the upstream');
  });

  test('the log line names the dialect and the operation; X-Request-Id as in WAHA', async () => {
    const res = await wadial(`/groups/${ALPHA}`, { headers: { 'x-request-id': 'wadial-trace-1' } });
    assert.equal(res.headers.get('x-request-id'), 'wadial-trace-1');
    const line = await t.stack.logLine('wadial-trace-1');
    assert.equal(line.dialect, 'wadial');
    assert.equal(line.operation, 'getGroup');
    assert.equal(line.upstreamStatus, 200);
    const waha = await t.gw.call(`/api/default/groups/${ALPHA}`, { headers: { 'x-request-id': 'waha-trace-1' } });
    assert.equal(waha.status, 200);
    assert.equal((await t.stack.logLine('waha-trace-1')).dialect, 'waha');
  });

  test('wrong method and unknown path in the Wadial namespace: 405 with Allow, 404', async () => {
    const res = await wadial(`/groups/${ALPHA}/profile`, { method: 'PUT', body: { subject: 'x' } });
    assertProblem(res, 405, 'method_not_allowed');
    assert.equal(res.headers.get('allow'), 'PATCH');
    assertProblem(await wadial('/groups/nothing/here'), 404, 'not_found');
    assert.deepEqual(await calls(t.gw), []);
  });

  test('no secret in any answer', () => assertNoSecrets(t.gw.seen));
});

describe('WAHA clients in front of a Wadial-style upstream (UPSTREAM_DIALECT=wadial)', () => {
  const t = useStack({ vars: { UPSTREAM_DIALECT: 'wadial' } });
  const waha = (path, init) => t.gw.call(`/api/default${path}`, init);
  const people = (...ids) => ({ participants: ids.map((id) => ({ id })) });

  /** [method, path, body, the Wadial-style call forwarded, check of the (WAHA-shaped) answer]. */
  const SAMPLES = [
    ['POST', '/groups', { name: 'Team', participants: [{ id: '15551234567@c.us' }] },
      `POST ${V1}/groups {"subject":"Team","participants":["15551234567@s.whatsapp.net"]}`, (res) => {
        assert.equal(res.status, 201);
        assert.equal(res.json.subject, 'Team');
        assert.equal(res.json.description, '');
        assert.deepEqual(res.json.participants.map((p) => [p.id, p.role]).sort(),
          [['15550000000@c.us', 'superadmin'], ['15551234567@c.us', 'participant']]);
      }],
    ['GET', '/groups', undefined, `GET ${V1}/groups`, (res) => {
      const gamma = res.json.find((g) => g.id === GAMMA);
      assert.equal(gamma.infoAdminOnly, true);
      assert.equal(gamma.membersCanSendMessages, true);
      assert.equal(gamma.membersCanAddNewMember, false);
    }],
    ['GET', `/groups/join-info?code=${ALPHA_CODE}`, undefined, `POST ${V1}/groups/invite/preview {"code":"${ALPHA_CODE}"}`,
      (res) => assert.equal(res.json.description, 'Alpha team coordination')],
    ['POST', '/groups/join', { code: GAMMA_CODE }, `POST ${V1}/groups/join {"code":"${GAMMA_CODE}"}`,
      (res) => assert.deepEqual(res.json, { id: GAMMA })],
    ['GET', `/groups/${ALPHA}`, undefined, `GET ${V1}/groups/${ALPHA}`, (res) => {
      assert.equal(res.json.id, ALPHA);
      assert.ok(res.json.participants.some((p) => p.id === '123456789012345@lid' && p.pn === '15550001111@c.us'));
    }],
    ['POST', `/groups/${GAMMA}/leave`, undefined, `POST ${V1}/groups/leave {"groupJids":["${GAMMA}"]}`,
      (res) => assert.deepEqual(res.json, {})],
    // A change is answered `true`, bare, as WAHA (NestJS) sends a boolean.
    ['PUT', `/groups/${ALPHA}/subject`, { subject: 'New' }, `PATCH ${V1}/groups/${ALPHA}/profile {"subject":"New"}`,
      (res) => assert.deepEqual([res.text, res.headers.get('content-type')], ['true', 'text/html; charset=utf-8'])],
    ['PUT', `/groups/${ALPHA}/description`, { description: 'd' }, `PATCH ${V1}/groups/${ALPHA}/profile {"description":"d"}`,
      (res) => assert.deepEqual([res.text, res.headers.get('content-type')], ['true', 'text/html; charset=utf-8'])],
    ['PUT', `/groups/${ALPHA}/settings/security/info-admin-only`, { adminsOnly: true },
      `PATCH ${V1}/groups/${ALPHA}/settings {"setting":"locked","enabled":true}`, (res) => assert.deepEqual([res.text, res.headers.get('content-type')], ['true', 'text/html; charset=utf-8'])],
    ['GET', `/groups/${GAMMA}/settings/security/info-admin-only`, undefined, `GET ${V1}/groups/${GAMMA}`,
      (res) => assert.deepEqual(res.json, { adminsOnly: true })],
    ['PUT', `/groups/${ALPHA}/settings/security/messages-admin-only`, { adminsOnly: true },
      `PATCH ${V1}/groups/${ALPHA}/settings {"setting":"announcement","enabled":true}`, undefined],
    ['GET', `/groups/${ALPHA}/settings/security/messages-admin-only`, undefined, `GET ${V1}/groups/${ALPHA}`,
      (res) => assert.deepEqual(res.json, { adminsOnly: false })],
    ['PUT', `/groups/${ALPHA}/settings/security/member-add-mode`, { membersCanAddNewMember: false },
      `PATCH ${V1}/groups/${ALPHA}/settings {"memberAddMode":"admin_add"}`, undefined],
    ['GET', `/groups/${ALPHA}/settings/security/member-add-mode`, undefined, `GET ${V1}/groups/${ALPHA}`,
      (res) => assert.deepEqual(res.json, { membersCanAddNewMember: true })],
    ['PUT', `/groups/${ALPHA}/settings/security/member-share-history-mode`, { membersCanShareHistory: false },
      `PATCH ${V1}/groups/${ALPHA}/settings {"memberShareGroupHistoryMode":"admin_share"}`, undefined],
    ['GET', `/groups/${BETA}/settings/security/membership-approval`, undefined, `GET ${V1}/groups/${BETA}`,
      (res) => assert.deepEqual(res.json, { newMembersApprovalRequired: true })],
    ['GET', `/groups/${ALPHA}/invite-code`, undefined, `GET ${V1}/groups/${ALPHA}/invite-code`,
      // Bare, as WAHA (NestJS) sends a string.
      (res) => assert.deepEqual([res.text, res.headers.get('content-type')], [ALPHA_CODE, 'text/html; charset=utf-8'])],
    ['POST', `/groups/${ALPHA}/invite-code/revoke`, undefined, `POST ${V1}/groups/${ALPHA}/invite/revoke`,
      (res) => assert.match(res.text, /^[A-Za-z0-9]{22}$/)],
    ['POST', `/groups/${ALPHA}/participants/add`, people('15551234567@s.whatsapp.net'),
      `POST ${V1}/groups/${ALPHA}/participants {"action":"add","participants":["15551234567@s.whatsapp.net"]}`,
      (res) => assert.deepEqual(res.json, [{ id: '15551234567@c.us', status: '200' }])],
    ['POST', `/groups/${ALPHA}/participants/remove`, people('15550000002@c.us'),
      `POST ${V1}/groups/${ALPHA}/participants {"action":"remove","participants":["15550000002@s.whatsapp.net"]}`, undefined],
    ['POST', `/groups/${ALPHA}/admin/promote`, people('15550000002@c.us'),
      `POST ${V1}/groups/${ALPHA}/participants {"action":"promote","participants":["15550000002@s.whatsapp.net"]}`, undefined],
    ['POST', `/groups/${ALPHA}/admin/demote`, people('15550000001@c.us'),
      `POST ${V1}/groups/${ALPHA}/participants {"action":"demote","participants":["15550000001@s.whatsapp.net"]}`, undefined],
    ['GET', `/groups/${BETA}/participants/join-requests`, undefined, `GET ${V1}/groups/${BETA}/membership-requests`,
      (res) => assert.deepEqual(res.json[1], {
        requesterId: '987654321098765@lid', requesterPn: '15550000006@c.us', addedById: '987654321098765@lid',
        parentGroupId: null, requestMethod: 'invite_link', timestamp: res.json[1].timestamp,
      })],
    ['POST', `/groups/${BETA}/participants/join-requests/approve`, people('15550000005@c.us'),
      `POST ${V1}/groups/${BETA}/membership-requests {"action":"approve","participants":["15550000005@s.whatsapp.net"]}`,
      (res) => assert.deepEqual(res.json, [{ requesterId: '15550000005@c.us', success: true }])],
    ['POST', `/groups/${BETA}/participants/join-requests/reject`, people('15550000099@c.us'),
      `POST ${V1}/groups/${BETA}/membership-requests {"action":"reject","participants":["15550000099@s.whatsapp.net"]}`,
      (res) => assert.deepEqual(res.json, [{ requesterId: '15550000099@c.us', success: false, error: 404 }])],
  ];

  for (const [method, path, body, forwarded, check] of SAMPLES) {
    test(`${method} ${path}`, async () => {
      const res = await waha(path, { method, body });
      assert.ok(res.status < 300, `${res.status} ${res.text}`);
      assert.equal(res.status, method === 'POST' ? 201 : 200, 'WAHA\'s status convention');
      const received = await t.gw.received();
      assert.deepEqual(await calls(t.gw), [forwarded]);
      assert.equal(received[0].headers.authorization, `Bearer ${UPSTREAM_KEY}`);
      assert.equal(received[0].headers['x-api-key'], undefined);
      check?.(res);
    });
  }

  for (const [method, path, operation] of [
    ['GET', '/groups/count', 'countGroups'], ['POST', '/groups/refresh', 'refreshGroups'],
    ['GET', `/groups/${ALPHA}/picture`, 'getPicture'], ['DELETE', `/groups/${ALPHA}/picture`, 'deletePicture'],
    ['GET', `/groups/${ALPHA}/participants/v2`, 'getParticipants'], ['GET', `/groups/${ALPHA}/participants`, 'getParticipantsRaw'],
    ['DELETE', `/groups/${ALPHA}`, 'deleteGroup'],
  ]) {
    test(`${method} ${path}: 501 naming ${operation}, nothing forwarded`, async () => {
      const res = await waha(path, { method });
      const problem = assertProblem(res, 501, 'not_implemented');
      assert.ok(problem.detail.startsWith(`${operation}:`), problem.detail);
      assert.deepEqual(await calls(t.gw), []);
    });
  }

  test('a list query a Wadial-style upstream cannot carry: 501 naming the parameter, nothing forwarded', async () => {
    const res = await waha('/groups?limit=2');
    assertProblem(res, 501, 'not_implemented', [{ parameter: 'limit', code: 'not_implemented' }]);
    assert.deepEqual(await calls(t.gw), []);
  });

  test('a Wadial-style client through a Wadial-style upstream: the bulk leave is one call per group', async () => {
    const res = await t.gw.call(`${V1}/groups/leave`, { method: 'POST', headers: BEARER, body: { groupJids: [ALPHA, MISSING, GAMMA] } });
    assert.equal(res.status, 207, res.text);
    assert.deepEqual(res.json.left, [ALPHA, GAMMA]);
    assert.deepEqual(res.json.failed.map((f) => [f.groupJid, f.status]), [[MISSING, 404]]);
    assert.equal((await calls(t.gw)).length, 3);
  });

  test('no secret in any answer', () => assertNoSecrets(t.gw.seen));
});
