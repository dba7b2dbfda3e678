// The edge proxy: every class of bad input is answered with its RFC 9457 problem (code,
// status, field pointer or parameter) and never reaches the upstream.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { CLIENT_KEY } from './stack.mjs';
import { assertProblem, assertNoSecrets, ALPHA, useStack } from './proxy-helpers.mjs';

const t = useStack({ captureLogs: true }, { each: 'clear' });

const G = `/api/default/groups/${ALPHA}`;
const ADD = `${G}/participants/add`;
const people = (...ids) => ({ participants: ids.map((id) => ({ id })) });
const manyPeople = (n) => people(...Array.from({ length: n }, (_, i) => `1555${String(1000000 + i)}@c.us`));

/** Asserts the simulator received nothing since the last clear. */
async function assertNotForwarded() {
  assert.deepEqual(await t.gw.received(), [], 'nothing may reach the upstream');
}

/**
 * `[name, request, status, code, field errors]`; request is `{method, path, body, headers}`.
 * 422 `validation_failed` problems list their fields; whole-request errors have none.
 */
const CASES = [
  // ids
  ['"+" inside a participant id', { method: 'POST', path: ADD, body: people('+15551234567@c.us') },
    422, 'validation_failed', [{ pointer: '/participants/0/id', code: 'invalid_id' }]],
  ['a device part in a participant id', { method: 'POST', path: ADD, body: people('15551234567:4@s.whatsapp.net') },
    422, 'validation_failed', [{ pointer: '/participants/0/id', code: 'invalid_id' }]],
  ['a group id as participant', { method: 'POST', path: `${G}/admin/promote`, body: people('15551234567@c.us', ALPHA) },
    422, 'validation_failed', [{ pointer: '/participants/1/id', code: 'invalid_id' }]],
  ['a number with a leading 0', { method: 'POST', path: `${G}/participants/remove`, body: people('0015551234567@c.us') },
    422, 'validation_failed', [{ pointer: '/participants/0/id', code: 'invalid_id' }]],
  ['an invalid group id in the path', { method: 'GET', path: '/api/default/groups/12345@g.us' },
    422, 'validation_failed', [{ parameter: 'id', code: 'invalid_group_id' }]],
  ['a channel id as group', { method: 'PUT', path: '/api/default/groups/120363000000000001@newsletter/subject', body: { subject: 'x' } },
    422, 'validation_failed', [{ parameter: 'id', code: 'invalid_group_id' }]],
  ['a user id as group', { method: 'POST', path: '/api/default/groups/15551234567@c.us/leave' },
    422, 'validation_failed', [{ parameter: 'id', code: 'invalid_group_id' }]],
  // participant lists
  ['an empty participant list', { method: 'POST', path: ADD, body: { participants: [] } },
    422, 'validation_failed', [{ pointer: '/participants', code: 'empty_list' }]],
  ['the same person twice (two spellings)', { method: 'POST', path: ADD, body: people('15551234567@c.us', '15551234567@s.whatsapp.net') },
    422, 'validation_failed', [{ pointer: '/participants/1', code: 'duplicate_participant' }]],
  ['51 participants (cap 50)', { method: 'POST', path: `${G}/participants/join-requests/approve`, body: manyPeople(51) },
    422, 'validation_failed', [{ pointer: '/participants', code: 'too_many_participants' }]],
  ['participants missing', { method: 'POST', path: ADD, body: {} },
    422, 'validation_failed', [{ pointer: '/participants', code: 'missing_field' }]],
  // subject, description
  ['an empty subject', { method: 'PUT', path: `${G}/subject`, body: { subject: '   ' } },
    422, 'validation_failed', [{ pointer: '/subject', code: 'empty_subject' }]],
  ['an empty group name on create', { method: 'POST', path: '/api/default/groups', body: { name: '', participants: [{ id: '15551234567@c.us' }] } },
    422, 'validation_failed', [{ pointer: '/name', code: 'empty_subject' }]],
  ['a subject of 101 characters', { method: 'PUT', path: `${G}/subject`, body: { subject: 'x'.repeat(101) } },
    422, 'validation_failed', [{ pointer: '/subject', code: 'subject_too_long' }]],
  ['a description of 2049 characters', { method: 'PUT', path: `${G}/description`, body: { description: 'd'.repeat(2049) } },
    422, 'validation_failed', [{ pointer: '/description', code: 'description_too_long' }]],
  // invites
  ['a bad invite code', { method: 'POST', path: '/api/default/groups/join', body: { code: 'short' } },
    422, 'validation_failed', [{ pointer: '/code', code: 'invalid_invite_code' }]],
  ['a look-alike invite link', { method: 'POST', path: '/api/default/groups/join', body: { code: 'https://chat.whatsapp.com.evil.example/AlphaInviteCode0000001' } },
    422, 'validation_failed', [{ pointer: '/code', code: 'invalid_invite_link' }]],
  ['an http invite link in the query', { method: 'GET', path: `/api/default/groups/join-info?code=${encodeURIComponent('http://chat.whatsapp.com/AlphaInviteCode0000001')}` },
    422, 'validation_failed', [{ parameter: 'code', code: 'invalid_invite_link' }]],
  ['join-info without code', { method: 'GET', path: '/api/default/groups/join-info' },
    422, 'validation_failed', [{ parameter: 'code', code: 'missing_field' }]],
  // pictures
  ['an http picture URL', { method: 'PUT', path: `${G}/picture`, body: { file: { mimetype: 'image/jpeg', url: 'http://example.com/p.jpg' } } },
    422, 'validation_failed', [{ pointer: '/file/url', code: 'insecure_url' }]],
  ['a picture URL with credentials', { method: 'PUT', path: `${G}/picture`, body: { file: { mimetype: 'image/jpeg', url: 'https://user:pw@example.com/p.jpg' } } },
    422, 'validation_failed', [{ pointer: '/file/url', code: 'url_has_credentials' }]],
  ['bad base64 picture data', { method: 'PUT', path: `${G}/picture`, body: { file: { mimetype: 'image/jpeg', data: 'not base64!!' } } },
    422, 'validation_failed', [{ pointer: '/file/data', code: 'invalid_base64' }]],
  ['both url and data', { method: 'PUT', path: `${G}/picture`, body: { file: { mimetype: 'image/jpeg', data: 'AAAA', url: 'https://example.com/p.jpg' } } },
    422, 'validation_failed', [{ pointer: '/file', code: 'invalid_picture_source' }]],
  ['a GIF picture', { method: 'PUT', path: `${G}/picture`, body: { file: { mimetype: 'image/gif', data: 'AAAA' } } },
    422, 'validation_failed', [{ pointer: '/file/mimetype', code: 'invalid_mimetype' }]],
  // body shape
  ['an unknown body field', { method: 'PUT', path: `${G}/subject`, body: { subject: 'ok', admin: true } },
    422, 'validation_failed', [{ pointer: '/admin', code: 'unknown_field' }]],
  ['an unknown field in a participant', { method: 'POST', path: ADD, body: { participants: [{ id: '15551234567@c.us', role: 'admin' }] } },
    422, 'validation_failed', [{ pointer: '/participants/0/role', code: 'unknown_field' }]],
  ['a body on a route without one', { method: 'POST', path: '/api/default/groups/refresh', body: { force: true } },
    422, 'validation_failed', [{ pointer: '/force', code: 'unknown_field' }]],
  ['a string where a boolean goes', { method: 'PUT', path: `${G}/settings/security/info-admin-only`, body: { adminsOnly: 'true' } },
    422, 'validation_failed', [{ pointer: '/adminsOnly', code: 'invalid_type' }]],
  ['a number where a string goes', { method: 'PUT', path: `${G}/subject`, body: { subject: 42 } },
    422, 'validation_failed', [{ pointer: '/subject', code: 'invalid_type' }]],
  ['an array as body', { method: 'PUT', path: `${G}/subject`, body: ['subject'] },
    422, 'validation_failed', [{ pointer: '', code: 'invalid_type' }]],
  ['invalid JSON', { method: 'PUT', path: `${G}/subject`, body: '{"subject": "x",', headers: { 'content-type': 'application/json' } },
    400, 'invalid_json', []],
  // query
  ['an unknown query parameter', { method: 'GET', path: '/api/default/groups/count?verbose=1' },
    422, 'validation_failed', [{ parameter: 'verbose', code: 'unknown_field' }]],
  ['a negative limit', { method: 'GET', path: '/api/default/groups?limit=-1' },
    422, 'validation_failed', [{ parameter: 'limit', code: 'invalid_parameter' }]],
  ['a bad sortBy', { method: 'GET', path: '/api/default/groups?sortBy=name' },
    422, 'validation_failed', [{ parameter: 'sortBy', code: 'invalid_parameter' }]],
  ['a repeated single-valued parameter', { method: 'GET', path: '/api/default/groups?limit=1&limit=2' },
    422, 'validation_failed', [{ parameter: 'limit', code: 'invalid_parameter' }]],
  ['refresh=1 (not a boolean)', { method: 'GET', path: `${G}/picture?refresh=1` },
    422, 'validation_failed', [{ parameter: 'refresh', code: 'invalid_parameter' }]],
  // sessions
  ['a session containing ".."', { method: 'GET', path: '/api/a..b/groups' },
    422, 'validation_failed', [{ parameter: 'session', code: 'invalid_session' }]],
  ['a session starting with "."', { method: 'GET', path: '/api/.default/groups' },
    422, 'validation_failed', [{ parameter: 'session', code: 'invalid_session' }]],
  ['an encoded slash in the session', { method: 'GET', path: '/api/default%2F..%2Fother/groups' },
    422, 'validation_failed', [{ parameter: 'session', code: 'invalid_session' }]],
  ['a control character in the session', { method: 'GET', path: '/api/def%0Aault/groups' },
    422, 'validation_failed', [{ parameter: 'session', code: 'invalid_session' }]],
  ['a 55-character session', { method: 'GET', path: `/api/${'s'.repeat(55)}/groups` },
    422, 'validation_failed', [{ parameter: 'session', code: 'invalid_session' }]],
  // transport
  ['a body over 3 MiB', { method: 'PUT', path: `${G}/description`, body: JSON.stringify({ description: 'x'.repeat(3 * 1024 * 1024) }), headers: { 'content-type': 'application/json' } },
    413, 'payload_too_large', []],
  ['a text/plain body', { method: 'PUT', path: `${G}/subject`, body: '{"subject":"x"}', headers: { 'content-type': 'text/plain' } },
    415, 'unsupported_media_type', []],
  ['a form body', { method: 'POST', path: ADD, body: 'participants=15551234567%40c.us', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
    415, 'unsupported_media_type', []],
  ['an unknown path under a session', { method: 'GET', path: '/api/default/groups/count/extra' },
    404, 'not_found', []],
  ['an unknown path outside /api', { method: 'GET', path: '/admin' },
    404, 'not_found', []],
  ['an unknown group sub-resource', { method: 'GET', path: `${G}/members` },
    404, 'not_found', []],
];

for (const [name, req, status, code, errors] of CASES) {
  test(`rejects ${name}: ${status} ${code}`, async () => {
    const res = await t.gw.call(req.path, { method: req.method, body: req.body, headers: req.headers });
    const problem = assertProblem(res, status, code, errors);
    if (errors.length === 0) assert.equal(problem.errors, undefined, 'whole-request errors list no fields');
    await assertNotForwarded();
  });
}

test('every invalid field is reported at once, with its pointer', async () => {
  const res = await t.gw.call('/api/default/groups', {
    method: 'POST',
    body: { name: '', participants: [{ id: '+15551234567@c.us' }, { id: 'nobody' }], extra: 1 },
  });
  const p = assertProblem(res, 422, 'validation_failed', [
    { pointer: '/name', code: 'empty_subject' },
    { pointer: '/participants/0/id', code: 'invalid_id' },
    { pointer: '/participants/1/id', code: 'invalid_id' },
    { pointer: '/extra', code: 'unknown_field' },
  ]);
  assert.equal(p.errors.length, 4, JSON.stringify(p.errors));
  await assertNotForwarded();
});

for (const [method, path, allow] of [
  ['POST', '/api/default/groups/count', 'GET'],
  ['PATCH', '/api/default/groups', 'POST, GET'],
  ['PUT', G, 'GET, DELETE'],
  ['GET', `${G}/participants/add`, 'POST'],
  ['DELETE', `${G}/settings/security/info-admin-only`, 'PUT, GET'],
]) {
  test(`${method} ${path.replace(ALPHA, '{id}')} → 405 with Allow: ${allow}`, async () => {
    const res = await t.gw.call(path, { method });
    assertProblem(res, 405, 'method_not_allowed');
    assert.equal(res.headers.get('allow'), allow);
    await assertNotForwarded();
  });
}

test('values at the limits are accepted and forwarded (the checks are not off by one)', async () => {
  const accepted = [
    [`${G}/subject`, 'PUT', { subject: 's'.repeat(100) }],
    [`${G}/description`, 'PUT', { description: 'd'.repeat(2048) }],
    [`${G}/admin/promote`, 'POST', manyPeople(50)],
    ['/api/default/groups/join', 'POST', { code: 'A'.repeat(24) }],
    ['/api/default/groups/join', 'POST', { code: 'B'.repeat(20) }],
    [`/api/${'s'.repeat(54)}/groups/count`, 'GET', undefined],
  ];
  for (const [path, method, body] of accepted) {
    await t.gw.clearReceived();
    const res = await t.gw.call(path, { method, body });
    // Forwarded: the upstream's answer (for an unknown invite code, its item-not-found).
    assert.equal((await t.gw.received()).length, 1, `${method} ${path} forwarded: ${res.text.slice(0, 300)}`);
    assert.ok(res.status < 400 || res.json?.code?.startsWith('whatsapp_'), `${method} ${path}: ${res.text.slice(0, 300)}`);
  }
});

test('JSON content types with parameters or in upper case are accepted', async () => {
  for (const type of ['application/json; charset=utf-8', 'Application/JSON']) {
    await t.gw.clearReceived();
    const res = await t.gw.call(`${G}/subject`, { method: 'PUT', body: '{"subject":"ok"}', headers: { 'content-type': type } });
    assert.equal(res.status, 200, `${type}: ${res.text}`);
    assert.equal((await t.gw.received())[0].body, '{"subject":"ok"}');
  }
});

/** A raw HTTP/1.1 request (no URL normalisation by fetch): `[status, problem]`. */
function rawGet(path) {
  const url = new URL(t.stack.url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path, headers: { 'x-api-key': CLIENT_KEY } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve([res.statusCode, res.headers['content-type'], JSON.parse(text)]));
    });
    req.on('error', reject);
    req.end();
  });
}

test('raw dot-segment sessions and ids are refused, never forwarded', async () => {
  for (const path of ['/api/../groups', '/api/%2E%2E/groups', '/api/..%2F..%2Fetc/groups',
    `/api/default/groups/..%2F..%2Fsessions`, '/api/default/groups/%2E%2E/subject']) {
    const [status, type, problem] = await rawGet(path);
    assert.ok([404, 422].includes(status), `${path}: ${status}`);
    assert.equal(type, 'application/problem+json', path);
    assert.equal(problem.status, status);
  }
  await assertNotForwarded();
});

test('a body that streams over 3 MiB without Content-Length is refused with 413', async () => {
  const chunk = new TextEncoder().encode('x'.repeat(256 * 1024));
  let sent = 0;
  const body = new ReadableStream({
    pull(controller) {
      if (sent === 0) controller.enqueue(new TextEncoder().encode('{"description":"'));
      if (sent >= 14) return controller.close();
      sent += 1;
      controller.enqueue(chunk);
    },
  });
  const res = await t.gw.fetch(`${G}/description`, {
    method: 'PUT', body, duplex: 'half', headers: { 'x-api-key': CLIENT_KEY, 'content-type': 'application/json' },
  });
  assertProblem(res, 413, 'payload_too_large');
  await assertNotForwarded();
});

test('after a 413 (or a 401) the same keep-alive connection still serves the next request', async () => {
  // An answer sent while the client is still uploading resets the connection unless the worker
  // reads the rest of the body first; the next request on that connection then fails.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const send = (path, method, body, key = CLIENT_KEY) => new Promise((resolve, reject) => {
    const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    if (key) headers['x-api-key'] = key;
    const req = http.request(`${t.stack.url}${path}`, { method, agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end(body);
  });
  const big = JSON.stringify({ description: 'x'.repeat(3 * 1024 * 1024 + 10) });
  try {
    for (let round = 0; round < 5; round += 1) {
      assert.equal(await send(`${G}/description`, 'PUT', big), 413);
      assert.equal(await send(`${G}/subject`, 'PUT', '{"subject":"Still works"}'), 200);
      assert.equal(await send(`${G}/subject`, 'PUT', big, null), 401);
      assert.equal(await send(`${G}/subject`, 'PUT', '{"subject":"Still works"}'), 200);
    }
  } finally {
    agent.destroy();
  }
});

test('no key appears in any response of this file', () => assertNoSecrets(t.gw.seen));
