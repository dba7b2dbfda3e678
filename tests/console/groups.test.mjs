// Signing in, and the groups list: search, sorting, paging; the page's weight.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CLIENT_KEY, forwarded, shot, signIn, useConsole } from './harness.mjs';

// Twelve groups are created below: more than the default create quota of a day.
const h = useConsole({ vars: { LIMIT_CREATE: 'off' } });

test('signs in with a client key that stays in sessionStorage, never in the URL', async () => {
  const { page } = h;
  await page.goto(`${h.stack.url}/`);
  await page.locator('body[data-ready="true"]').waitFor();
  await shot(page, 'sign-in');
  await page.getByLabel('Client key').fill('not-the-right-key-000000');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#api-key-error', { hasText: 'does not know this key' }).waitFor();
  assert.equal(await page.getByLabel('Client key').getAttribute('aria-invalid'), 'true');

  await signIn(h);
  assert.deepEqual(await page.locator('#group-list strong').allTextContents(), ['Alpha Team', 'Beta Testers', 'Gamma Friends']);
  assert.equal(await page.locator('#groups-summary').textContent(), '3 groups');
  assert.ok(!page.url().includes(CLIENT_KEY), page.url());
  const stored = await page.evaluate(() => ({ session: JSON.stringify(sessionStorage), local: localStorage.length }));
  assert.ok(stored.session.includes(CLIENT_KEY), 'the key is in sessionStorage');
  assert.equal(stored.local, 0, 'nothing in localStorage');
  await shot(page, 'groups');

  await page.reload();
  await page.locator('#group-list li').first().waitFor();
  assert.equal(await page.locator('#sign-in-view').isHidden(), true, 'still signed in after a reload');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.locator('#sign-in-view').waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.length), 0, 'signing out forgets the key');
});

test('lists, searches, sorts and pages the groups', async () => {
  for (let i = 1; i <= 12; i++) {
    const res = await h.stack.call('/api/default/groups', {
      method: 'POST', body: { name: `Project ${String(i).padStart(2, '0')}`, participants: [{ id: '15551110000@c.us' }] },
    });
    assert.equal(res.status, 201);
  }
  const { page } = h;
  await signIn(h);
  assert.equal(await page.locator('#groups-summary').textContent(), '15 groups');
  assert.equal(await page.locator('#page-label').textContent(), 'Page 1 of 2');
  assert.equal(await page.locator('#group-list li').count(), 10);
  assert.equal(await page.getByRole('button', { name: 'Previous' }).isDisabled(), true);
  await page.getByRole('button', { name: 'Next' }).click();
  assert.deepEqual(await page.locator('#group-list strong').allTextContents(), ['Project 08', 'Project 09', 'Project 10', 'Project 11', 'Project 12']);
  assert.equal(await page.getByRole('button', { name: 'Next' }).isDisabled(), true);

  await page.getByLabel('Search').fill('gam');
  assert.deepEqual(await page.locator('#group-list strong').allTextContents(), ['Gamma Friends']);
  assert.equal(await page.locator('#groups-summary').textContent(), '1 of 15 groups match “gam”');
  await page.getByLabel('Search').fill('');

  await page.getByLabel('Sort').selectOption('subject:desc');
  await page.locator('#group-list strong', { hasText: 'Project 12' }).first().waitFor();
  assert.equal(await page.locator('#group-list strong').first().textContent(), 'Project 12');
  const lists = (await forwarded(h)).filter((r) => r.method === 'GET' && r.path === '/api/default/groups');
  assert.match(lists.at(-1).query, /sortBy=subject/);
  assert.match(lists.at(-1).query, /sortOrder=desc/);
  assert.match(lists.at(-1).query, /exclude=participants/);
});

test('the page with the module loads in under 150 KiB transferred', async () => {
  const { page } = h;
  const client = await page.context().newCDPSession(page);
  await client.send('Network.enable');
  let bytes = 0;
  const files = [];
  client.on('Network.loadingFinished', (event) => { bytes += event.encodedDataLength; files.push(event.requestId); });
  await page.goto(`${h.stack.url}/`);
  await page.locator('body[data-ready="true"]').waitFor();
  await page.waitForLoadState('networkidle');
  // html, css, 7 modules, the module's glue and its wasm.
  assert.ok(files.length >= 11, `${files.length} files loaded`);
  assert.ok(bytes < 150 * 1024, `${bytes} B transferred`);
});
