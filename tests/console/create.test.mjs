// Creating a group (mouse and keyboard only), field errors before sending, and a Worker problem
// mapped back to its field. The Worker allows subjects of 40 characters; the module's default
// is 100, so only the Worker can refuse the 60-character rename.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ALPHA, CLIENT_KEY, forwarded, openGroup, shot, signIn, useConsole } from './harness.mjs';

const h = useConsole({ vars: { SUBJECT_MAX_LENGTH: '40' } });

test('creates a group with numbers in three human formats, shown normalized before sending', async () => {
  const { page } = h;
  await signIn(h);
  await page.getByRole('link', { name: 'New group' }).click();
  await page.locator('#create-view').getByLabel('Subject').fill('Launch crew');
  await page.getByLabel('First members').fill('+1 (555) 123-4567\n0044 20 7946 0958, +49 30.1234.5678');
  assert.deepEqual(await page.locator('#create-people-preview .mono').allTextContents(),
    ['→ 15551234567@c.us', '→ 442079460958@c.us', '→ 493012345678@c.us']);
  await shot(page, 'create');
  const sent = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/api/default/groups'));
  await page.getByRole('button', { name: 'Create group' }).click();
  assert.match((await sent).headers()['idempotency-key'], /^[0-9a-f-]{36}$/, 'the create is safe to retry');
  await page.locator('#group-title', { hasText: 'Launch crew' }).waitFor();
  const members = await page.locator('#member-rows td.mono').allTextContents();
  for (const number of ['+15551234567', '+442079460958', '+493012345678']) assert.ok(members.includes(number), `${number} in ${members}`);
  const create = (await forwarded(h)).find((r) => r.method === 'POST' && r.path === '/api/default/groups');
  assert.deepEqual(JSON.parse(create.body).participants.map((p) => p.id), ['15551234567@c.us', '442079460958@c.us', '493012345678@c.us']);
  await shot(page, 'group');

  // The same form again, in the same tab: a second group, not a replay of the first.
  const firstId = await page.locator('#group-id').textContent();
  await page.evaluate(() => { location.hash = '#/new'; });
  await page.locator('#create-view').getByLabel('Subject').fill('Launch crew');
  await page.getByLabel('First members').fill('+1 (555) 123-4567\n0044 20 7946 0958, +49 30.1234.5678');
  const again = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/api/default/groups'));
  await page.getByRole('button', { name: 'Create group' }).click();
  assert.equal((await again).headers()['idempotency-replayed'], undefined, 'not a replay');
  await page.locator('#group-id', { hasNotText: firstId }).waitFor();
});

test('field errors appear next to their input and nothing is sent', async () => {
  const { page } = h;
  await signIn(h);
  await page.getByRole('link', { name: 'New group' }).click();
  await h.stack.clearReceived();
  await page.locator('#create-view').getByLabel('Subject').fill('x'.repeat(101));
  await page.getByLabel('First members').fill('+1 555 123 4567\n555');
  await page.getByRole('button', { name: 'Create group' }).click();
  await page.locator('#create-people-error', { hasText: '555:' }).waitFor();
  assert.match(await page.locator('#create-people-error').textContent(), /^555: phone number/);
  assert.equal(await page.getByLabel('First members').getAttribute('aria-invalid'), 'true');

  await page.getByLabel('First members').fill('+1 555 123 4567');
  await page.getByRole('button', { name: 'Create group' }).click();
  await page.locator('#create-subject-error').waitFor();
  assert.equal(await page.locator('#create-subject-error').textContent(), '101 characters; at most 100 are accepted');
  assert.equal(await page.locator('#problem').isHidden(), true, 'the error is at the field, not in a banner');
  await shot(page, 'field-error');
  assert.deepEqual(await forwarded(h), [], 'the simulator received nothing');
});

test("a Worker problem shows its detail at the field its pointer names", async () => {
  const { page } = h;
  await signIn(h);
  await openGroup(h, ALPHA, 'Alpha Team');
  await h.stack.clearReceived();
  await page.locator('#group-view').getByLabel('Subject').fill('A subject that is longer than the forty allowed');
  await page.getByRole('button', { name: 'Rename' }).click();
  await page.locator('#group-subject-error').waitFor();
  assert.equal(await page.locator('#group-subject-error').textContent(), '47 characters; at most 40 are accepted');
  assert.deepEqual(await forwarded(h), [], 'the Worker refused it before the upstream');
});

test('creates a group with the keyboard only, focus visible throughout', async () => {
  const { page } = h;
  await page.goto(`${h.stack.url}/`);
  await page.locator('body[data-ready="true"]').waitFor();
  await page.keyboard.type(CLIENT_KEY);
  await page.keyboard.press('Enter');
  await page.locator('#group-list li').first().waitFor();
  const focused = () => page.evaluate(() => {
    const el = document.activeElement;
    return { text: el.textContent.trim(), id: el.id, outline: getComputedStyle(el).outlineStyle };
  });
  let now;
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press('Tab');
    now = await focused();
    if (now.text === 'New group') break;
  }
  assert.equal(now.text, 'New group');
  assert.notEqual(now.outline, 'none', 'the focused link shows its focus');
  await page.keyboard.press('Enter');
  await page.locator('#create-view').waitFor();
  assert.equal((await focused()).id, 'create-subject');
  await page.keyboard.type('Keyboard club');
  await page.keyboard.press('Tab');
  assert.equal((await focused()).id, 'create-people');
  await page.keyboard.type('+44 20 7946 0001');
  await page.keyboard.press('Tab');
  now = await focused();
  assert.equal(now.text, 'Create group');
  assert.notEqual(now.outline, 'none');
  await shot(page, 'keyboard');
  await page.keyboard.press('Enter');
  await page.locator('#group-title', { hasText: 'Keyboard club' }).waitFor();
  assert.ok((await page.locator('#member-rows td.mono').allTextContents()).includes('+442079460001'));
});
