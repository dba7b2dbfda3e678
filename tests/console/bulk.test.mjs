// The paced bulk add in the console: 30 pasted numbers against a quota of 10 per 6 s go out in
// requests of at most 10, the progress bar stops at 10 while the countdown runs (the button
// disabled), and the rest go through after the window; Stop cancels a waiting add.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ALPHA, forwarded, openGroup, shot, signIn, useConsole } from './harness.mjs';

const h = useConsole({ vars: { LIMIT_ADD: '10/6' } });

/** `count` numbers as people paste them: `+1 (555) 800-0001`, one per line. */
const pasted = (count, from = 1) => Array.from({ length: count }, (_, i) => `+1 (555) 8${String(from + i).padStart(2, '0')}-0${String(from + i).padStart(3, '0')}`).join('\n');

test('30 pasted numbers are paced to the quota: the bar stops at 10, counts down, then finishes', async () => {
  const { page } = h;
  await signIn(h);
  await openGroup(h, ALPHA, 'Alpha Team');
  await page.getByRole('textbox', { name: /^Numbers/ }).fill(pasted(30));
  assert.equal(await page.locator('#add-people-preview li:not(.bad)').count(), 30);
  await page.getByRole('button', { name: 'Send' }).click();

  await page.locator('#add-status', { hasText: 'Next request in' }).waitFor();
  assert.equal(await page.locator('#add-progress').evaluate((bar) => bar.value), 10, 'the bar stops at 10');
  assert.equal(await page.locator('#add-progress').evaluate((bar) => bar.max), 30);
  assert.match(await page.locator('#add-status').textContent(), /Rate limit reached: 0 of 10 left per 6 s\. Next request in \d+ s\./);
  assert.equal(await page.getByRole('button', { name: 'Send' }).isDisabled(), true, 'the button waits too');
  await shot(page, 'rate-limit');
  const first = Number((await page.locator('#add-status').textContent()).match(/in (\d+) s/)[1]);
  await page.locator('#add-status', { hasText: `Next request in ${first - 1} s` }).waitFor({ timeout: 3000 });

  await page.locator('#add-status', { hasText: 'Done: 30 of 30 added.' }).waitFor({ timeout: 30_000 });
  assert.equal(await page.locator('#add-progress').evaluate((bar) => bar.value), 30);
  assert.equal(await page.locator('#add-results li[data-outcome="added"]').count(), 30);
  assert.equal(await page.getByRole('button', { name: 'Send' }).isDisabled(), false);
  const adds = (await forwarded(h)).filter((r) => r.path.endsWith('/participants/add')).map((r) => JSON.parse(r.body).participants.length);
  assert.deepEqual(adds, [10, 10, 10], 'three forwarded requests of 10, never one of 30');
  await shot(page, 'bulk-done');
});

test('Stop cancels a paced add while it waits; nothing more is sent', async () => {
  const { page } = h;
  // Another session: its quota is untouched by the test before.
  await signIn(h, { session: 'second' });
  await openGroup(h, ALPHA, 'Alpha Team');
  await page.getByRole('textbox', { name: /^Numbers/ }).fill(pasted(15, 40));
  await page.getByRole('button', { name: 'Send' }).click();
  await page.locator('#add-status', { hasText: 'Next request in' }).waitFor();
  // Away to the group list and back while it waits: one bulk add at a time, still stoppable.
  const groupHash = await page.evaluate(() => location.hash);
  await page.evaluate(() => { location.hash = '#/'; });
  await page.locator('#groups-view').waitFor();
  await page.evaluate((hash) => { location.hash = hash; }, groupHash);
  await page.locator('#group-view').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Send' }).isDisabled(), true, 'Send stays disabled while the add runs');
  await page.getByRole('button', { name: 'Stop' }).click();
  await page.locator('#add-status', { hasText: 'Stopped at 10 of 15' }).waitFor();
  await new Promise((resolve) => setTimeout(resolve, 7000));
  const adds = (await forwarded(h)).filter((r) => r.path.startsWith('/api/second/') && r.path.endsWith('/participants/add'));
  assert.deepEqual(adds.map((r) => JSON.parse(r.body).participants.length), [10], 'one request of 10, none after Stop');
});
