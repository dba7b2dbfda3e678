// The OpenAPI document at /openapi.json: served without a key, with CORS like every answer,
// generated from the operation table (its template one of the static assets) with the running
// limits; and the method findings of the schemathesis tier (scripts/schemathesis.mjs) kept as
// regression tests.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, TEST_ORIGIN } from './stack.mjs';

const SUBJECT_MAX = 33;
const PARTICIPANTS_MAX = 7;
let stack;

before(async () => {
  stack = await startStack({
    assets: true,
    vars: { SUBJECT_MAX_LENGTH: String(SUBJECT_MAX), MAX_PARTICIPANTS_PER_REQUEST: String(PARTICIPANTS_MAX) },
  });
});
after(() => stack?.close());

test('GET /openapi.json answers the document without a key, with CORS for an allowed origin', async () => {
  const res = await fetch(`${stack.url}/openapi.json`, { headers: { origin: TEST_ORIGIN } });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^application\/json/);
  assert.equal(res.headers.get('access-control-allow-origin'), TEST_ORIGIN);
  const doc = await res.json();
  assert.equal(doc.openapi, '3.1.0');
  assert.equal(doc.info.title, 'groupgate');
  assert.ok(doc.paths['/api/{session}/groups/count'].get, 'GET /groups/count is documented');
  assert.deepEqual(Object.keys(doc.components.securitySchemes).sort(), ['apiKey', 'bearer']);
});

test('the document states the running limits (SUBJECT_MAX_LENGTH, MAX_PARTICIPANTS_PER_REQUEST)', async () => {
  const doc = await (await fetch(`${stack.url}/openapi.json`)).json();
  const body = (path, method) => doc.paths[path][method].requestBody.content['application/json'].schema;
  const create = body('/api/{session}/groups', 'post');
  assert.equal(create.properties.name.maxLength, SUBJECT_MAX);
  assert.equal(create.properties.participants.maxItems, PARTICIPANTS_MAX);
  // And the worker enforces exactly that.
  const name = 'x'.repeat(SUBJECT_MAX + 1);
  const res = await stack.call('/api/default/groups', { method: 'POST', body: { name, participants: [{ id: '15551234567@c.us' }] } });
  assert.equal(res.status, 422);
  assert.equal((await res.json()).errors[0].code, 'subject_too_long');
});

test('without the static assets, /openapi.json is a 500 problem that says where the template belongs', async () => {
  const bare = await startStack();
  try {
    const res = await fetch(`${bare.url}/openapi.json`);
    assert.equal(res.status, 500);
    const problem = await res.json();
    assert.equal(problem.code, 'misconfigured');
    assert.match(problem.detail, /template is one of the static assets \(\/openapi\.json, binding ASSETS/);
  } finally {
    await bare.close();
  }
});

test('POST /openapi.json is 405 with Allow: GET', async () => {
  const res = await fetch(`${stack.url}/openapi.json`, { method: 'POST' });
  assert.equal(res.status, 405);
  assert.equal(res.headers.get('allow'), 'GET');
});

// Schemathesis finding: the Workers runtime binding reads a method it does not know as GET, so
// `QUERY /groups/count` was served as `GET /groups/count` (200) and `QUERY` on a settings route was
// read as its GET and refused the body (422), where an undeclared method is a 405.
for (const path of ['/api/default/groups/count', '/api/default/groups/120363298657503778@g.us/settings/security/info-admin-only', '/openapi.json', '/groupgate/key']) {
  test(`QUERY ${path} is 405, not served as a GET`, async () => {
    const res = await stack.call(path, { method: 'QUERY' });
    assert.equal(res.status, 405, (await res.text()).slice(0, 200));
    assert.match(res.headers.get('allow'), /GET/);
  });
}
