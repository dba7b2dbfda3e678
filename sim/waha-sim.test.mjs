// Tests for the WAHA simulator: node --test sim/
import { test, before, after, beforeEach, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { startSimulator } from './waha-sim.mjs';
import { ROUTES } from './routes.mjs';

const KEY = 'sim-upstream-key';
const ME = '15550000000@c.us';
const ALPHA = '120363000000000001@g.us'; // me superadmin
const BETA = '120363000000000002@g.us'; // me superadmin, approval required, 2 join requests
const GAMMA = '120363000000000003@g.us'; // me plain participant, info admin-only

let sim;

before(async () => {
  sim = await startSimulator({ hangMs: 50 });
});
after(() => sim.close());
beforeEach(() => control('POST', '/__sim/reset'));

/** Calls the WAHA API of the simulator; answers `{status, body, text, headers}`. */
async function api(method, path, body, { key = KEY, session = 'default', headers = {} } = {}) {
  const init = { method, headers: { ...headers } };
  if (key !== null) init.headers['x-api-key'] = key;
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    init.headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(`${sim.url}/api/${session}${path}`, init);
  const text = await res.text();
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed, text, headers: res.headers };
}

async function control(method, path, body) {
  const res = await fetch(`${sim.url}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

const g = (id) => `/groups/${encodeURIComponent(id)}`;
const people = (...ids) => ({ participants: ids.map((id) => ({ id })) });

function assertWhatsAppError(res, message, code) {
  assert.equal(res.status, 500, res.text);
  assert.equal(res.body.statusCode, 500);
  assert.deepEqual(res.body.exception, { message, name: 'Error', code });
  assert.equal(typeof res.body.timestamp, 'string');
  assert.ok(!Number.isNaN(Date.parse(res.body.timestamp)));
  assert.equal(typeof res.body.request.path, 'string');
}

async function v2(groupId) {
  return (await api('GET', `${g(groupId)}/participants/v2`)).body;
}

function roleOf(members, id) {
  return members.find((m) => m.id === id || m.pn === id)?.role;
}

// ---------------------------------------------------------------- basics

describe('routing and auth', () => {
  test('the table has the 35 contract routes, and each answers something other than 404', async () => {
    assert.equal(ROUTES.length, 35);
    for (const { method, path } of ROUTES) {
      const concrete = path.replace(':id', encodeURIComponent(ALPHA));
      const res = await api(method, concrete, method === 'GET' || method === 'DELETE' ? undefined : {});
      assert.notEqual(res.status, 404, `${method} ${path}`);
      await control('POST', '/__sim/reset');
    }
  });

  test('missing or wrong X-Api-Key → 401; control routes need no key', async () => {
    for (const key of [null, 'wrong']) {
      const res = await api('GET', '/groups', undefined, { key });
      assert.equal(res.status, 401);
      assert.deepEqual(res.body, { statusCode: 401, message: 'Unauthorized' });
    }
    assert.equal((await control('GET', '/__sim/requests')).status, 200);
  });

  test('unknown routes and wrong methods → NestJS 404', async () => {
    const res = await api('GET', '/nope?x=1');
    assert.equal(res.status, 404);
    assert.deepEqual(res.body, { statusCode: 404, message: 'Cannot GET /api/default/nope?x=1', error: 'Not Found' });
    const patch = await api('PATCH', g(ALPHA), {});
    assert.equal(patch.status, 404);
    assert.equal(patch.body.message, `Cannot PATCH /api/default${g(ALPHA)}`);
    assert.equal((await fetch(`${sim.url}/elsewhere`)).status, 404);
  });

  test('JSON answers carry application/json; charset=utf-8, POST answers 201', async () => {
    const res = await api('GET', '/groups/count');
    assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.equal((await api('POST', '/groups/refresh')).status, 201);
  });

  test('invalid JSON → 400 with the parser message; non-JSON content type → validation 400', async () => {
    const bad = await api('POST', '/groups', '{"name": nope}');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error, 'Bad Request');
    assert.match(bad.body.message, /Unexpected token/);
    const primitive = await api('POST', '/groups', '"just a string"');
    assert.equal(primitive.status, 400);
    const text = await api('POST', '/groups', JSON.stringify({ name: 'x', participants: [] }), {
      headers: { 'content-type': 'text/plain' },
    });
    assert.equal(text.status, 400);
    assert.deepEqual(text.body.message, ['name must be a string']);
  });

  test('sessions are independent and seeded lazily with the same data', async () => {
    await api('PUT', `${g(ALPHA)}/subject`, { subject: 'Renamed' }, { session: 'one' });
    assert.equal((await api('GET', g(ALPHA), undefined, { session: 'one' })).body.subject, 'Renamed');
    assert.equal((await api('GET', g(ALPHA), undefined, { session: 'two' })).body.subject, 'Alpha Team');
    const dump = await control('GET', '/__sim/state?session=one');
    assert.equal(dump.body.session, 'one');
    assert.equal(dump.body.groups.find((x) => x.id === ALPHA).subject, 'Renamed');
  });
});

// ---------------------------------------------------------------- groups

describe('groups', () => {
  test('list: GroupInfo objects, sorting, paging, exclude=participants; count', async () => {
    const all = await api('GET', '/groups');
    assert.equal(all.status, 200);
    assert.deepEqual(all.body.map((x) => x.subject), ['Alpha Team', 'Beta Testers', 'Gamma Friends']);
    const alpha = all.body[0];
    assert.equal(alpha.id, ALPHA);
    assert.match(alpha.invite, /^https:\/\/chat\.whatsapp\.com\/[A-Za-z0-9]{22}$/);
    for (const key of ['membersCanAddNewMember', 'membersCanSendMessages', 'newMembersApprovalRequired', 'infoAdminOnly', 'membersCanShareHistory']) {
      assert.equal(typeof alpha[key], 'boolean', key);
    }
    assert.equal(roleOf(alpha.participants, ME), 'superadmin');
    assert.ok(all.body.every((x) => /^\d{18}@g\.us$/.test(x.id)));

    const desc = await api('GET', '/groups?sortBy=subject&sortOrder=desc&limit=2&offset=1');
    assert.deepEqual(desc.body.map((x) => x.subject), ['Beta Testers', 'Alpha Team']);
    const bare = await api('GET', '/groups?exclude=participants&exclude=participants');
    assert.ok(bare.body.every((x) => !('participants' in x)));
    assert.deepEqual((await api('GET', '/groups/count')).body, { count: 3 });
  });

  test('refresh answers {success: true}', async () => {
    assert.deepEqual((await api('POST', '/groups/refresh')).body, { success: true });
  });

  test('get one group; unknown → item-not-found; malformed → bad-request', async () => {
    const res = await api('GET', g(BETA));
    assert.equal(res.body.subject, 'Beta Testers');
    assert.equal(res.body.newMembersApprovalRequired, true);
    assertWhatsAppError(await api('GET', g('120363999999999999@g.us')), 'item-not-found', 404);
    assertWhatsAppError(await api('GET', g('not-a-group')), 'bad-request', 400);
  });

  test('create: 201 group with me superadmin; 403-privacy numbers dropped silently; ids normalized', async () => {
    const res = await api('POST', '/groups', {
      name: 'Delta',
      participants: [{ id: '4915551234@s.whatsapp.net' }, { id: '4915550403@c.us' }],
    });
    assert.equal(res.status, 201);
    assert.match(res.body.id, /^120363\d{12}@g\.us$/);
    assert.equal(res.body.subject, 'Delta');
    assert.deepEqual(res.body.participants.map((p) => [p.id, p.role]), [[ME, 'superadmin'], ['4915551234@c.us', 'participant']]);
    assert.deepEqual((await api('GET', '/groups/count')).body, { count: 4 });
  });

  test('create: malformed id → bad-request and nothing created; wrong types → 400; long name → not-acceptable', async () => {
    assertWhatsAppError(await api('POST', '/groups', { name: 'X', participants: [{ id: '+4915551234@c.us' }] }), 'bad-request', 400);
    assertWhatsAppError(await api('POST', '/groups', { name: 'X', participants: [{ id: '49 1555@c.us' }] }), 'bad-request', 400);
    assert.deepEqual((await api('GET', '/groups/count')).body, { count: 3 });
    const notArray = await api('POST', '/groups', { name: 'X', participants: { id: '1@c.us' } });
    assert.equal(notArray.status, 400);
    assert.deepEqual(notArray.body, { statusCode: 400, message: ['participants must be an array'], error: 'Bad Request' });
    assert.equal((await api('POST', '/groups', { name: 5, participants: [] })).status, 400);
    assertWhatsAppError(await api('POST', '/groups', { name: 'x'.repeat(101), participants: [] }), 'not-acceptable', 406);
  });

  test('leave: group disappears from my list and further calls are forbidden', async () => {
    const res = await api('POST', `${g(GAMMA)}/leave`);
    assert.equal(res.status, 201);
    assert.deepEqual(res.body, {});
    assert.deepEqual((await api('GET', '/groups/count')).body, { count: 2 });
    assertWhatsAppError(await api('GET', g(GAMMA)), 'forbidden', 403);
  });

  test('delete: admin only; the group is gone', async () => {
    assertWhatsAppError(await api('DELETE', g(GAMMA)), 'not-authorized', 401);
    const res = await api('DELETE', g(ALPHA));
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, {});
    assertWhatsAppError(await api('GET', g(ALPHA)), 'item-not-found', 404);
  });
});

// ---------------------------------------------------------------- group info

describe('subject, description, picture', () => {
  test('subject: true and stored; false when not allowed; too long → not-acceptable', async () => {
    const ok = await api('PUT', `${g(ALPHA)}/subject`, { subject: 'Alpha Squad' });
    assert.equal(ok.status, 200);
    assert.equal(ok.body, true);
    assert.equal((await api('GET', g(ALPHA))).body.subject, 'Alpha Squad');
    assert.equal((await api('PUT', `${g(GAMMA)}/subject`, { subject: 'Mine now' })).body, false);
    assert.equal((await api('GET', g(GAMMA))).body.subject, 'Gamma Friends');
    assertWhatsAppError(await api('PUT', `${g(ALPHA)}/subject`, { subject: 'y'.repeat(101) }), 'not-acceptable', 406);
    assert.equal((await api('PUT', `${g(ALPHA)}/subject`, { subject: 'y'.repeat(100) })).body, true);
    assert.equal((await api('PUT', `${g(ALPHA)}/subject`, {})).status, 400);
  });

  test('empty subject hangs for hangMs, then 500 "Timed Out"', async () => {
    const started = Date.now();
    const res = await api('PUT', `${g(ALPHA)}/subject`, { subject: '  ' });
    assert.ok(Date.now() - started >= 45);
    assertWhatsAppError(res, 'Timed Out', 408);
    assert.equal((await api('GET', g(ALPHA))).body.subject, 'Alpha Team');
  });

  test('description: set, clear with "", false when not allowed', async () => {
    assert.equal((await api('PUT', `${g(ALPHA)}/description`, { description: 'New text' })).body, true);
    assert.equal((await api('GET', g(ALPHA))).body.description, 'New text');
    assert.equal((await api('PUT', `${g(ALPHA)}/description`, { description: '' })).body, true);
    assert.equal((await api('GET', g(ALPHA))).body.description, '');
    assert.equal((await api('PUT', `${g(GAMMA)}/description`, { description: 'x' })).body, false);
    assert.equal((await api('PUT', `${g(ALPHA)}/description`, { description: 3 })).status, 400);
  });

  test('picture: get, set jpeg, reject png, delete, not-authorized for non-admin', async () => {
    assert.deepEqual((await api('GET', `${g(ALPHA)}/picture?refresh=true`)).body, { url: null });
    assert.match((await api('GET', `${g(BETA)}/picture`)).body.url, /^https:\/\/pps\.whatsapp\.net\//);
    const set = await api('PUT', `${g(ALPHA)}/picture`, { file: { mimetype: 'image/jpeg', data: '/9j/4AAQ', filename: 'a.jpg' } });
    assert.equal(set.status, 200);
    assert.deepEqual(set.body, { success: true });
    assert.match((await api('GET', `${g(ALPHA)}/picture`)).body.url, /^https:\/\/pps\.whatsapp\.net\/.+\.jpg$/);
    assertWhatsAppError(await api('PUT', `${g(ALPHA)}/picture`, { file: { mimetype: 'image/png', url: 'https://x.example/a.png' } }), 'not-acceptable', 406);
    assert.equal((await api('PUT', `${g(ALPHA)}/picture`, { file: 'nope' })).status, 400);
    assert.deepEqual((await api('DELETE', `${g(ALPHA)}/picture`)).body, { success: true });
    assert.deepEqual((await api('GET', `${g(ALPHA)}/picture`)).body, { url: null });
    assertWhatsAppError(await api('DELETE', `${g(GAMMA)}/picture`), 'not-authorized', 401);
  });

  test('picture: the state records what arrived, file.data (size and digest) or file.url', async () => {
    const state = async () => (await control('GET', '/__sim/state')).body.groups.find((x) => x.id === ALPHA).pictureFile;
    assert.equal(await state(), null);
    await api('PUT', `${g(ALPHA)}/picture`, { file: { mimetype: 'image/jpeg', data: '/9j/4AAQ' } });
    assert.deepEqual(await state(), {
      source: 'data', mimetype: 'image/jpeg', bytes: 6, sha256: createHash('sha256').update(Buffer.from('/9j/4AAQ', 'base64')).digest('hex'),
    });
    await api('PUT', `${g(ALPHA)}/picture`, { file: { mimetype: 'image/jpeg', url: 'https://x.example/a.jpg' } });
    assert.deepEqual(await state(), { source: 'url', mimetype: 'image/jpeg', url: 'https://x.example/a.jpg' });
    assertWhatsAppError(await api('PUT', `${g(ALPHA)}/picture`, { file: { mimetype: 'image/jpeg', data: 'not base64!' } }), 'not-acceptable', 406);
    assert.equal((await api('GET', g(ALPHA))).body.pictureFile, undefined, "not part of WAHA's answers");
  });
});

describe('security settings', () => {
  const cases = [
    ['info-admin-only', 'adminsOnly', 'infoAdminOnly', (v) => v],
    ['messages-admin-only', 'adminsOnly', 'membersCanSendMessages', (v) => !v],
    ['member-add-mode', 'membersCanAddNewMember', 'membersCanAddNewMember', (v) => v],
    ['member-share-history-mode', 'membersCanShareHistory', 'membersCanShareHistory', (v) => v],
    ['membership-approval', 'newMembersApprovalRequired', 'newMembersApprovalRequired', (v) => v],
  ];
  for (const [name, field, infoKey, toInfo] of cases) {
    test(`${name}: GET/PUT {${field}}, reflected in the group; non-admin and wrong type refused`, async () => {
      const path = `${g(ALPHA)}/settings/security/${name}`;
      const before = (await api('GET', path)).body;
      assert.deepEqual(Object.keys(before), [field]);
      const next = !before[field];
      const put = await api('PUT', path, { [field]: next });
      assert.equal(put.status, 200);
      // NestJS sends a boolean as its text, under text/html.
      assert.deepEqual([put.text, put.headers.get('content-type')], ['true', 'text/html; charset=utf-8']);
      assert.deepEqual((await api('GET', path)).body, { [field]: next });
      assert.equal((await api('GET', g(ALPHA))).body[infoKey], toInfo(next));
      assert.equal((await api('PUT', path, { [field]: 'yes' })).status, 400);
      assertWhatsAppError(await api('PUT', `${g(GAMMA)}/settings/security/${name}`, { [field]: true }), 'not-authorized', 401);
    });
  }
});

// ---------------------------------------------------------------- invites

describe('invites', () => {
  test('invite code, revoke, join-info by code and link, join', async () => {
    // A string answer is sent bare, as text/html, as NestJS sends one.
    const got = await api('GET', `${g(ALPHA)}/invite-code`);
    assert.equal(got.headers.get('content-type'), 'text/html; charset=utf-8');
    const code = got.text;
    assert.match(code, /^[A-Za-z0-9]{22}$/);
    const revoked = await api('POST', `${g(ALPHA)}/invite-code/revoke`);
    assert.equal(revoked.status, 201);
    const fresh = revoked.text;
    assert.match(fresh, /^[A-Za-z0-9]{22}$/);
    assert.notEqual(fresh, code);
    assert.equal((await api('GET', `${g(ALPHA)}/invite-code`)).text, fresh);

    assertWhatsAppError(await api('GET', `/groups/join-info?code=${code}`), 'gone', 410);
    assertWhatsAppError(await api('POST', '/groups/join', { code }), 'gone', 410);
    const link = encodeURIComponent(`https://chat.whatsapp.com/invite/${fresh}/?s=sw`);
    const preview = await api('GET', `/groups/join-info?code=${link}`);
    assert.equal(preview.body.id, ALPHA);
    assert.equal(preview.body.subject, 'Alpha Team');
    assert.equal(preview.body.size, 4);
    assertWhatsAppError(await api('GET', '/groups/join-info?code=ZZZZZZZZZZZZZZZZZZZZZZ'), 'item-not-found', 404);
    assertWhatsAppError(await api('GET', '/groups/join-info?code=short'), 'not-acceptable', 406);
    const lookAlike = encodeURIComponent(`https://chat.whatsapp.com.evil.example/${fresh}`);
    assertWhatsAppError(await api('GET', `/groups/join-info?code=${lookAlike}`), 'not-acceptable', 406);
    assert.equal((await api('POST', `${g(GAMMA)}/invite-code/revoke`)).status, 500);
  });

  test('join after leaving puts me back in the group', async () => {
    await api('POST', `${g(GAMMA)}/leave`);
    const join = await api('POST', '/groups/join', { code: 'https://chat.whatsapp.com/GammaInviteCode0000003' });
    assert.equal(join.status, 201);
    assert.deepEqual(join.body, { id: GAMMA });
    assert.equal(roleOf(await v2(GAMMA), ME), 'participant');
    assert.equal((await api('POST', '/groups/join', { code: 7 })).status, 400);
  });
});

// ---------------------------------------------------------------- participants

describe('participants', () => {
  test('raw participants (engine form) and v2 (with lid/pn and left members)', async () => {
    const raw = (await api('GET', `${g(ALPHA)}/participants`)).body;
    assert.deepEqual(raw[0], { id: { server: 'c.us', user: '15550000000', _serialized: ME }, isAdmin: true, isSuperAdmin: true });
    assert.ok(!raw.some((p) => p.id._serialized === '15550000009@c.us'), 'left members are not in the raw list');
    const list = await v2(ALPHA);
    assert.deepEqual(list.find((p) => p.id.endsWith('@lid')), { id: '123456789012345@lid', pn: '15550001111@c.us', role: 'participant' });
    assert.equal(roleOf(list, '15550000009@c.us'), 'left');
  });

  test('add: per-participant 200 / 409 / 403 with invite / 408 / 417 / 404', async () => {
    const res = await api('POST', `${g(ALPHA)}/participants/add`, people(
      '4915551234@c.us', '15550000002@s.whatsapp.net', '15550001111@c.us', '4915550403@c.us',
      '15550000009@c.us', '4915550417@c.us', '0123456789@c.us',
    ));
    assert.equal(res.status, 201);
    assert.deepEqual(res.body.map((r) => [r.id, r.status]), [
      ['4915551234@c.us', '200'], ['15550000002@c.us', '409'], ['15550001111@c.us', '409'],
      ['4915550403@c.us', '403'], ['15550000009@c.us', '408'], ['4915550417@c.us', '417'], ['0123456789@c.us', '404'],
    ]);
    assert.match(res.body[3].invite.code, /^[A-Za-z0-9]{22}$/);
    assert.equal(typeof res.body[3].invite.expiration, 'number');
    assert.equal(roleOf(await v2(ALPHA), '4915551234@c.us'), 'participant');
  });

  test('add: group full at 1024 → 419; malformed id → bad-request; non-admin → not-authorized', async () => {
    const many = Array.from({ length: 1022 }, (_, i) => `4917${String(i).padStart(7, '0')}1@c.us`);
    const created = await api('POST', '/groups', { name: 'Big', ...people(...many) });
    assert.equal(created.body.participants.length, 1023);
    const res = await api('POST', `${g(created.body.id)}/participants/add`, people('4915550001@c.us', '4915550002@c.us'));
    assert.deepEqual(res.body.map((r) => r.status), ['200', '419']);
    assertWhatsAppError(await api('POST', `${g(ALPHA)}/participants/add`, people('4915551234@c.us', 'abc@c.us')), 'bad-request', 400);
    assert.equal(roleOf(await v2(ALPHA), '4915551234@c.us'), undefined, 'a bad id fails the whole request');
    assertWhatsAppError(await api('POST', `${g(GAMMA)}/participants/add`, people('4915551234@c.us')), 'not-authorized', 401);
    assert.equal((await api('POST', `${g(ALPHA)}/participants/add`, { participants: 'x' })).status, 400);
  });

  test('remove: 200 marks member left (re-add → 408), 404 for non-members', async () => {
    const res = await api('POST', `${g(ALPHA)}/participants/remove`, people('15550000002@c.us', '4915559999@c.us'));
    assert.deepEqual(res.body.map((r) => r.status), ['200', '404']);
    assert.equal(roleOf(await v2(ALPHA), '15550000002@c.us'), 'left');
    const again = await api('POST', `${g(ALPHA)}/participants/add`, people('15550000002@c.us'));
    assert.equal(again.body[0].status, '408');
    assertWhatsAppError(await api('POST', `${g(GAMMA)}/participants/remove`, people('15550000008@c.us')), 'not-authorized', 401);
  });

  test('promote / demote change roles; 404 for non-members; not-authorized for non-admin', async () => {
    const up = await api('POST', `${g(ALPHA)}/admin/promote`, people('15550000002@c.us', '4915559999@c.us'));
    assert.deepEqual(up.body.map((r) => r.status), ['200', '404']);
    assert.equal(roleOf(await v2(ALPHA), '15550000002@c.us'), 'admin');
    const down = await api('POST', `${g(ALPHA)}/admin/demote`, people('15550000001@c.us'));
    assert.equal(down.body[0].status, '200');
    assert.equal(roleOf(await v2(ALPHA), '15550000001@c.us'), 'participant');
    assertWhatsAppError(await api('POST', `${g(GAMMA)}/admin/promote`, people('15550000008@c.us')), 'not-authorized', 401);
  });

  test('join requests: list, approve adds the member, unknown → success false 404, reject drops', async () => {
    const list = (await api('GET', `${g(BETA)}/participants/join-requests`)).body;
    assert.equal(list.length, 2);
    assert.deepEqual(Object.keys(list[0]).sort(), ['addedById', 'parentGroupId', 'requestMethod', 'requesterId', 'timestamp']);
    assert.equal(list[0].requestMethod, 'invite_link');
    assert.equal(list[0].parentGroupId, null);
    assert.equal(list[1].requesterPn, '15550000006@c.us');

    const approved = await api('POST', `${g(BETA)}/participants/join-requests/approve`, people('15550000005@c.us', '4915550000@c.us'));
    assert.equal(approved.status, 201);
    assert.deepEqual(approved.body, [
      { requesterId: '15550000005@c.us', success: true },
      { requesterId: '4915550000@c.us', success: false, error: 404 },
    ]);
    assert.equal(roleOf(await v2(BETA), '15550000005@c.us'), 'participant');

    const rejected = await api('POST', `${g(BETA)}/participants/join-requests/reject`, people('15550000006@c.us'));
    assert.deepEqual(rejected.body, [{ requesterId: '987654321098765@lid', success: true }]);
    assert.deepEqual((await api('GET', `${g(BETA)}/participants/join-requests`)).body, []);
    assert.equal(roleOf(await v2(BETA), '15550000006@c.us'), undefined);
    assertWhatsAppError(await api('POST', `${g(GAMMA)}/participants/join-requests/approve`, people('1555@c.us')), 'not-authorized', 401);
  });
});

// ---------------------------------------------------------------- control API

describe('recording', () => {
  test('records method, path, raw query, lowercased headers, raw body, time; DELETE clears', async () => {
    const t0 = Date.now();
    const body = '{"subject":"Recorded"}';
    await api('PUT', `${g(ALPHA)}/subject?a=1&b=x%20y`, body, { headers: { 'X-Trace-Id': 'abc' } });
    await api('GET', '/groups', undefined, { key: 'wrong' });
    const records = (await control('GET', '/__sim/requests')).body;
    assert.equal(records.length, 2);
    const [first, second] = records;
    assert.equal(first.method, 'PUT');
    assert.equal(first.path, `/api/default/groups/${encodeURIComponent(ALPHA)}/subject`);
    assert.equal(first.query, 'a=1&b=x%20y');
    assert.equal(first.headers['x-trace-id'], 'abc');
    assert.equal(first.headers['x-api-key'], KEY);
    assert.equal(first.headers['content-type'], 'application/json');
    assert.equal(first.body, body);
    assert.ok(first.at >= t0 && first.at <= Date.now());
    assert.equal(second.query, '');
    assert.equal(second.body, '');
    assert.equal(second.headers['x-api-key'], 'wrong', 'unauthorized requests are recorded too');

    assert.equal((await control('DELETE', '/__sim/requests')).status, 200);
    assert.deepEqual((await control('GET', '/__sim/requests')).body, []);
  });

  test('reset re-seeds state and clears records and faults', async () => {
    await api('DELETE', g(ALPHA));
    await control('POST', '/__sim/faults', { status: 503, match: '/count' });
    await control('POST', '/__sim/reset');
    assert.deepEqual((await control('GET', '/__sim/requests')).body, []);
    assert.deepEqual((await control('GET', '/__sim/faults')).body, []);
    assert.deepEqual((await api('GET', '/groups/count')).body, { count: 3 });
    assert.equal((await api('GET', g(ALPHA))).status, 200);
  });

  test('state dump shows the internal groups of a session', async () => {
    const dump = (await control('GET', '/__sim/state')).body;
    assert.equal(dump.session, 'default');
    assert.equal(dump.me, ME);
    assert.deepEqual(dump.groups.map((x) => x.subject), ['Alpha Team', 'Beta Testers', 'Gamma Friends']);
    assert.equal(dump.groups[1].joinRequests.length, 2);
  });
});

describe('faults', () => {
  test('delay only: answers normally, later', async () => {
    await control('POST', '/__sim/faults', { delayMs: 150 });
    const started = Date.now();
    const res = await api('GET', '/groups/count');
    assert.ok(Date.now() - started >= 140);
    assert.deepEqual(res.body, { count: 3 });
  });

  test('status: 4xx NestJS body, 5xx WAHA body', async () => {
    await control('POST', '/__sim/faults', { status: 429 });
    const limited = await api('GET', '/groups/count');
    assert.equal(limited.status, 429);
    assert.deepEqual(limited.body, { statusCode: 429, message: 'Too Many Requests', error: 'Too Many Requests' });
    await control('POST', '/__sim/faults', { status: 503 });
    const down = await api('GET', '/groups/count');
    assert.equal(down.status, 503);
    assert.equal(down.body.statusCode, 503);
    assert.deepEqual(down.body.exception, { message: 'Service Unavailable', name: 'Error' });
  });

  test('whatsappError: 500 with the WhatsApp error and code', async () => {
    await control('POST', '/__sim/faults', { whatsappError: 'rate-overlimit' });
    const res = await api('POST', '/groups/refresh?x=1');
    assertWhatsAppError(res, 'rate-overlimit', 429);
    assert.deepEqual(res.body.request, { path: '/api/default/groups/refresh?x=1', method: 'POST' });
  });

  test('drop: the socket closes without an answer (request still recorded)', async () => {
    await control('POST', '/__sim/faults', { drop: true });
    await assert.rejects(api('POST', '/groups/refresh', {}));
    const records = (await control('GET', '/__sim/requests')).body;
    assert.equal(records.length, 1);
    assert.equal(records[0].path, '/api/default/groups/refresh');
  });

  test('garbage: 200, application/json, body that is not JSON', async () => {
    await control('POST', '/__sim/faults', { garbage: true });
    const res = await api('GET', '/groups');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^application\/json/);
    assert.throws(() => JSON.parse(res.text));
  });

  test('html: 200, text/html, a page', async () => {
    await control('POST', '/__sim/faults', { html: true });
    const res = await api('GET', '/groups');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^text\/html/);
    assert.match(res.text, /^<!DOCTYPE html>/);
  });

  test('cutBody: headers and half the declared body, then the socket is destroyed', async () => {
    await control('POST', '/__sim/faults', { cutBody: true });
    const res = await fetch(`${sim.url}/api/default/groups`, { headers: { 'x-api-key': KEY } });
    assert.equal(res.status, 200);
    assert.ok(Number(res.headers.get('content-length')) > 0);
    await assert.rejects(res.text());
  });

  test('slowBodyMs: headers at once, the body spread over the time given', async () => {
    await control('POST', '/__sim/faults', { slowBodyMs: 300 });
    const started = Date.now();
    const res = await fetch(`${sim.url}/api/default/groups`, { headers: { 'x-api-key': KEY } });
    assert.equal(res.status, 200);
    assert.ok(Date.now() - started < 250, 'headers come first');
    assert.equal(typeof JSON.parse(await res.text()).padding, 'string');
    assert.ok(Date.now() - started >= 250, 'the body took its time');
    assert.ok(Number(res.headers.get('content-length')) > 0);
  });

  test('slowBodyMs with chunked: the same slow body without a Content-Length', async () => {
    await control('POST', '/__sim/faults', { slowBodyMs: 300, chunked: true });
    const started = Date.now();
    const res = await fetch(`${sim.url}/api/default/groups`, { headers: { 'x-api-key': KEY } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-length'), null);
    assert.equal(typeof JSON.parse(await res.text()).padding, 'string');
    assert.ok(Date.now() - started >= 250, 'the body took its time');
  });

  test('bodyBytes: valid JSON of that size, chunked', async () => {
    await control('POST', '/__sim/faults', { bodyBytes: 3 * 1024 * 1024 + 5 });
    const res = await api('GET', '/groups');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-length'), null);
    assert.equal(Buffer.byteLength(res.text), 3 * 1024 * 1024 + 5);
    assert.equal(typeof res.body.padding, 'string');
  });

  test('gzipBytes: valid JSON of that size once decoded, its small encoded length declared', async () => {
    const size = 8 * 1024 * 1024 + 3;
    await control('POST', '/__sim/faults', { gzipBytes: size });
    // Read raw (fetch would decode it).
    const res = await new Promise((resolve, reject) => {
      http.get(`${sim.url}/api/default/groups`, { headers: { 'x-api-key': KEY } }, resolve).on('error', reject);
    });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-encoding'], 'gzip');
    const wire = Buffer.concat(await res.toArray());
    assert.equal(Number(res.headers['content-length']), wire.length);
    assert.ok(wire.length < size / 100, `${wire.length} bytes on the wire`);
    const text = gunzipSync(wire).toString();
    assert.equal(text.length, size);
    assert.equal(typeof JSON.parse(text).padding, 'string');
  });

  test('outage: connections are refused for the time given, then served again', async () => {
    assert.equal((await control('POST', '/__sim/outage', { ms: 300 })).status, 200);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await assert.rejects(api('GET', '/groups/count'), (err) => err.cause?.code === 'ECONNREFUSED');
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.deepEqual((await api('GET', '/groups/count')).body, { count: 3 });
    assert.equal((await control('POST', '/__sim/outage', { ms: 0 })).status, 400);
  });

  test('redirect: a 302 to the given URL; status with message: WAHA\'s body carries it', async () => {
    await control('POST', '/__sim/faults', { redirect: 'http://127.0.0.1:9/elsewhere', times: 1 });
    const res = await fetch(`${sim.url}/api/default/groups/count`, { headers: { 'x-api-key': KEY }, redirect: 'manual' });
    assert.equal(res.status, 302);
    assert.equal(res.headers.get('location'), 'http://127.0.0.1:9/elsewhere');
    await control('POST', '/__sim/faults', { status: 500, message: 'connect ECONNREFUSED 10.0.0.7:6379', times: 1 });
    assert.equal((await api('GET', '/groups/count')).body.exception.message, 'connect ECONNREFUSED 10.0.0.7:6379');
    assert.equal((await control('POST', '/__sim/faults', { redirect: 'ftp://x' })).status, 400);
    assert.equal((await control('POST', '/__sim/faults', { message: 'x' })).status, 400);
  });

  test('times: applies to the next N requests only, then is forgotten', async () => {
    await control('POST', '/__sim/faults', { status: 502, times: 2 });
    assert.equal((await api('GET', '/groups/count')).status, 502);
    assert.equal((await api('GET', '/groups/count')).status, 502);
    assert.equal((await api('GET', '/groups/count')).status, 200);
    assert.deepEqual((await control('GET', '/__sim/faults')).body, []);
  });

  test('match (and method): only matching paths are hit; faults apply before auth', async () => {
    await control('POST', '/__sim/faults', { whatsappError: 'not-authorized', match: '/participants/add' });
    assert.equal((await api('GET', '/groups/count')).status, 200);
    assertWhatsAppError(await api('POST', `${g(ALPHA)}/participants/add`, people('4915551234@c.us')), 'not-authorized', 401);
    await control('POST', '/__sim/faults', { status: 500, match: 'groups', method: 'post' });
    assert.equal((await api('GET', '/groups')).status, 200);
    assert.equal((await api('POST', '/groups/refresh')).status, 500);
    assert.equal((await api('POST', '/groups/refresh', undefined, { key: null })).status, 500);
  });

  test('a list of faults: first match wins; POST replaces; DELETE clears', async () => {
    await control('POST', '/__sim/faults', [{ status: 404, match: '/count' }, { status: 503 }]);
    assert.equal((await api('GET', '/groups/count')).status, 404);
    assert.equal((await api('GET', '/groups')).status, 503);
    await control('POST', '/__sim/faults', { status: 418, match: '/count' });
    assert.equal((await api('GET', '/groups')).status, 200, 'the earlier list was replaced');
    assert.equal((await control('DELETE', '/__sim/faults')).status, 200);
    assert.equal((await api('GET', '/groups/count')).status, 200);
  });

  test('invalid fault bodies → 400', async () => {
    for (const bad of [{}, { whatsappError: 'nope' }, { status: 200 }, { drop: true, garbage: true }, { delayMs: -1 }, { times: 0, status: 500 }, { bodyBytes: 1 }, { gzipBytes: 2 ** 31 }, { html: 1 }, { slowBodyMs: 0 }, { chunked: true }, { slowBodyMs: 10, chunked: 1 }]) {
      const res = await control('POST', '/__sim/faults', bad);
      assert.equal(res.status, 400, JSON.stringify(bad));
    }
    assert.deepEqual((await control('GET', '/__sim/faults')).body, []);
  });
});

// ---------------------------------------------------------------- CLI

test('CLI: prints the listening line, serves with SIM_API_KEY, exits 0 on SIGTERM', async () => {
  const script = fileURLToPath(new URL('./waha-sim.mjs', import.meta.url));
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, SIM_PORT: '0', SIM_API_KEY: 'cli-key' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.includes('\n')) resolve(out.split('\n')[0]);
    });
    child.once('exit', () => reject(new Error(`exited early: ${out}`)));
  });
  const match = /^waha-sim listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
  assert.ok(match, line);
  const res = await fetch(`${match[1]}/api/default/groups/count`, { headers: { 'x-api-key': 'cli-key' } });
  assert.deepEqual(await res.json(), { count: 3 });
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
});

test('startSimulator refuses non-loopback hosts', async () => {
  await assert.rejects(startSimulator({ host: '0.0.0.0' }), /loopback/);
});

describe('the Wadial-style API over the same state', () => {
  /** Calls `/api/v1/sessions/default…` with the simulator's key as a Bearer token. */
  async function wadial(method, path, body, { auth = `Bearer ${KEY}` } = {}) {
    const headers = { authorization: auth };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${sim.url}/api/v1/sessions/default${path}`, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  }

  test('a Bearer key is required; X-Api-Key is WAHA\'s', async () => {
    assert.equal((await wadial('GET', '/groups', undefined, { auth: 'Bearer wrong' })).status, 401);
    const res = await fetch(`${sim.url}/api/v1/sessions/default/groups`, { headers: { 'x-api-key': KEY } });
    assert.equal(res.status, 401);
  });

  test('metadata in Baileys field names, @s.whatsapp.net ids', async () => {
    const { status, body } = await wadial('GET', `/groups/${ALPHA}`);
    assert.equal(status, 200);
    assert.equal(body.desc, 'Alpha team coordination');
    assert.equal(body.owner, '15550000000@s.whatsapp.net');
    assert.deepEqual(body.participants[3], { id: '123456789012345@lid', admin: null, phoneNumber: '15550001111@s.whatsapp.net' });
    assert.equal(body.size, 4, 'the member who left is not counted');
  });

  test('a change in one dialect is seen in the other, and both are recorded', async () => {
    await control('DELETE', '/__sim/requests');
    const add = await wadial('POST', `/groups/${ALPHA}/participants`, { action: 'add', participants: ['15551234567@s.whatsapp.net'] });
    assert.deepEqual(add, { status: 200, body: [{ jid: '15551234567@s.whatsapp.net', status: '200' }] });
    const members = (await v2(ALPHA)).map((p) => p.id);
    assert.ok(members.includes('15551234567@c.us'));
    const profile = await wadial('PATCH', `/groups/${ALPHA}/profile`, { subject: 'Renamed' });
    assert.deepEqual(profile.body, { updated: ['subject'], failed: [] });
    assert.equal((await api('GET', g(ALPHA))).body.subject, 'Renamed');
    const recorded = (await control('GET', '/__sim/requests')).body.map((r) => `${r.method} ${r.path}`);
    assert.deepEqual(recorded, [
      `POST /api/v1/sessions/default/groups/${ALPHA}/participants`, `GET /api/default/groups/${encodeURIComponent(ALPHA)}/participants/v2`,
      `PATCH /api/v1/sessions/default/groups/${ALPHA}/profile`, `GET /api/default/groups/${encodeURIComponent(ALPHA)}`,
    ]);
  });

  test('settings take one known setting or mode, profile at least one field, participants a known action: checked before rights', async () => {
    const settings = (body) => wadial('PATCH', `/groups/${GAMMA}/settings`, body);
    for (const [body, reason] of [
      [{ memberAddMode: 'bogus' }, /memberAddMode must be one of admin_add, all_member_add/],
      [{ memberShareGroupHistoryMode: true }, /memberShareGroupHistoryMode must be one of/],
      [{ ephemeralDurationSeconds: 'week' }, /whole number of seconds/],
      [{ setting: 'announcement', enabled: true, memberAddMode: 'all_member_add' }, /setting takes enabled and nothing else/],
      [{ memberAddMode: 'admin_add', memberLinkMode: 'admin_link' }, /exactly one of/],
      [{}, /exactly one of/],
    ]) {
      const res = await settings(body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.match(JSON.stringify(res.body), reason);
    }
    assert.equal((await wadial('PATCH', `/groups/${ALPHA}/profile`, {})).status, 400);
    const kick = await wadial('POST', `/groups/${GAMMA}/participants`, { action: 'kick', participants: ['15551234567@s.whatsapp.net'] });
    assert.equal(kick.status, 400, 'not the not-authorized of a plain member of GAMMA');
    // A valid change still needs the rights: in GAMMA this account is a plain member.
    assert.equal((await settings({ memberAddMode: 'admin_add' })).status, 500);
    assert.deepEqual((await wadial('PATCH', `/groups/${ALPHA}/settings`, { ephemeralDurationSeconds: 604800 })).body, { updated: ['ephemeralDurationSeconds'], failed: [] });
  });

  test('a bulk leave reports per group; create answers 201', async () => {
    const res = await wadial('POST', '/groups/leave', { groupJids: [GAMMA, '120363000000000099@g.us'] });
    assert.equal(res.status, 207);
    assert.deepEqual(res.body, {
      left: [GAMMA], failed: [{ groupJid: '120363000000000099@g.us', status: 404, code: 'item-not-found', detail: 'WhatsApp answered item-not-found' }],
    });
    const created = await wadial('POST', '/groups', { subject: 'New', participants: ['15551234567@s.whatsapp.net'], description: 'D' });
    assert.equal(created.status, 201);
    assert.equal(created.body.desc, 'D');
  });
});
